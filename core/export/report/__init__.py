"""The PDF map product: the A3 template filled with an export's data, its chart and compound pages."""
