"""One package per lesson: analysis (numpy only), figures (matplotlib),
panels (ipywidgets) and exercises, each lesson in its own folder."""
