"""Before / after series for publication: the image series over an extent with the status
overlay and date labels, as PNG frames and an animated GIF."""
