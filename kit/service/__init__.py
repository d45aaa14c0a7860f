"""The kit service: the shared state of a multi-user course on a JupyterHub."""
