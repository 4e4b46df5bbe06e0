"""The weights library: each person's own pre-trained backbone weights, and Keras's ImageNet files."""
