"""Training: runs, the job queue and worker, the Keras callback, the metrics store and checkpoints."""
