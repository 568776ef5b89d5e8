"""An answer's label where the chat has room for it (issue 17, item 8): at 160 columns the
chat is ~48 wide, and the host and the stopped/error tag must still show."""

from __future__ import annotations

import pytest

from renubu_tui.tui.text import short_label

LLAMA = "openai-compatible · /models/SmolLM2-135M-Instruct-Q4_1.gguf @ 127.0.0.1:8080"
FALLBACK = (
    "offline assistant (fallback: openai-compatible · smol @ 127.0.0.1:8080 unavailable: "
    "cannot reach the OpenAI-compatible server at http://127.0.0.1:8080 — is it running?)"
)


@pytest.mark.parametrize(
    ("label", "width", "tag", "shown"),
    [
        ("offline assistant", 46, "", "offline assistant"),
        ("ollama · llama3.1", 46, "stopped", "ollama · llama3.1 · stopped"),
        (LLAMA, 100, "error", LLAMA + " · error"),
        (LLAMA, 60, "stopped", "openai-compat · SmolLM2-…uct-Q4_1 @ 127.0.0.1:8080 · stopped"),
        (LLAMA, 48, "stopped", "openai-compat · Sm…_1 @ 127.0.0.1:8080 · stopped"),
        (LLAMA, 46, "stopped", "openai-compat @ 127.0.0.1:8080 · stopped"),
        (LLAMA, 38, "error", "openai-compat @ 127.0.0.1:8080 · error"),
        (LLAMA, 26, "stopped", "127.0.0.1:8080 · stopped"),
        (FALLBACK, 46, "error", "offline assistant (fallback: openai-…) · error"),
    ],
)
def test_the_tag_and_the_host_stay_and_the_model_gives_way(
    label: str, width: int, tag: str, shown: str
) -> None:
    assert short_label(label, width, tag) == shown
    assert len(shown) <= max(width, len(label) + len(tag) + 3)


def test_markup_and_control_sequences_stay_text() -> None:
    assert short_label("[bold]x[/] \x1b[31mred", 40) == "[bold]x[/] red"
