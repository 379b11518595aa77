"""The office's work queue: everything a reviewer must look at."""
