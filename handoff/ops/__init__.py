"""Running the product: the deskbot CLI, training, and starting and watching the three processes."""
