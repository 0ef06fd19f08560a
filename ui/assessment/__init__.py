"""The assessment in the interface: opening and creating one, and its layers in the project."""
