"""The render stage: the model + ``templates/<platform>/<role>.j2`` -> intended configs."""

from govnet.render.engine import (
    TEMPLATES_DIR,
    TEMPLATES_ENV,
    RenderedConfig,
    Renderer,
    RenderError,
    default_templates_dir,
    render_device,
    render_network,
    renderable_names,
    renders,
    template_for,
)

__all__ = [
    "TEMPLATES_DIR",
    "TEMPLATES_ENV",
    "RenderError",
    "RenderedConfig",
    "Renderer",
    "default_templates_dir",
    "render_device",
    "render_network",
    "renderable_names",
    "renders",
    "template_for",
]
