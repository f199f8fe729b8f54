"""One package per lesson: analysis (numpy), figures (matplotlib), panels (ipywidgets), exercises."""
