"""The workflow admin screen: the tenant's and core workflows, their versions, diffs and changes.

Left: every workflow the tenant sees (`WorkflowRegistry.list`). Right: the chosen workflow's
version history, and below it one view at a time: a version's JSON (syntax highlighted), the
diff of a version against the one before it (a unified diff, colored), or the validation of
every workflow. Rollback (confirmed) writes a new version equal to an old one; clone copies a
core workflow to the tenant. Text from the database is never parsed as markup.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar

from rich.syntax import Syntax
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from renubu_tui.tui.errors import ReportsWorkerErrors
from renubu_tui.tui.screens.modal import Modal
from renubu_tui.tui.text import clean

if TYPE_CHECKING:
    from renubu_tui.services.workflows.registry import (
        VersionInfo,
        WorkflowRegistry,
        WorkflowSummary,
    )
    from renubu_tui.tui.session import Session


def diff_text(diff: str) -> Text:
    """A unified diff as plain Text, one color per kind of line."""
    if not diff:
        return Text("The two versions are the same.", style="italic")
    out = Text()
    for line in diff.splitlines():
        if line.startswith(("+++", "---")):
            style = "bold"
        elif line.startswith("@@"):
            style = "cyan"
        elif line.startswith("+"):
            style = "green"
        elif line.startswith("-"):
            style = "red"
        else:
            style = ""
        out.append(line + "\n", style=style)
    out.rstrip()
    return out


def workflow_label(s: WorkflowSummary) -> Text:
    origin = "core" if s.is_core else ("tenant ⇢ core" if s.overrides_core else "tenant")
    label = Text.assemble((clean(s.slug), "bold"), f"  v{s.version_number}")
    # Italic, not dim: the line is also drawn on the highlight's colour, where dim text fades.
    label.append(f"  {origin} · {s.workflow_type}", style="italic")
    if not s.is_active:
        label.append(" · inactive", style="italic")
    return label


def version_label(v: VersionInfo) -> Text:
    label = Text.assemble((f"v{v.number}", "bold"), f" {clean(v.semver)}")
    label.append(f"  {v.created_at.date().isoformat()}", style="dim")
    if v.created_by:
        label.append(f"  {clean(v.created_by)}", style="dim")
    if v.note:
        label.append(f"  {clean(v.note)}")
    if v.is_current:
        label.append("  (current)", style="bold green")
    return label


class ConfirmScreen(Modal[bool]):
    """Yes or no; Esc is no."""

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Static {
        width: 64; height: auto; padding: 1 2;
        border: thick $warning; background: $surface;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        yield Static(
            Text.assemble(self.question, "\n\n", ("y", "bold"), " yes   ", ("n", "bold"), " no")
        )

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class WorkflowAdminScreen(ReportsWorkerErrors, Screen[None]):
    CSS_PATH = "../styles/admin.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Back", id="admin.close"),
        Binding("j", "show_json", "JSON", id="admin.json"),
        Binding("d", "show_diff", "Diff", id="admin.diff"),
        Binding("r", "rollback", "Rollback", id="admin.rollback"),
        Binding("c", "clone", "Clone", id="admin.clone"),
        Binding("v", "validate", "Validate all", id="admin.validate"),
        Binding("tab", "app.focus_next", "Next pane", show=False, id="admin.next_pane"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.workflows: list[WorkflowSummary] = []
        self.versions: list[VersionInfo] = []
        self.slug: str | None = None
        self.view = "json"

    @property
    def registry(self) -> WorkflowRegistry:
        from renubu_tui.services.workflows.registry import WorkflowRegistry

        services = self.session.services
        return WorkflowRegistry(services.db, clock=services.clock)

    def compose(self) -> ComposeResult:
        tenant = clean(self.session.services.tenant.slug)
        yield Static(Text(f"Workflow admin · {tenant}", style="bold"), id="admin-title")
        with Horizontal():
            yield OptionList(id="admin-workflows")
            with Vertical(id="admin-detail"):
                yield Static("", id="admin-info", markup=False)
                yield OptionList(id="admin-versions")
                yield Static("", id="admin-view-title", markup=False)
                with VerticalScroll(id="admin-view"):
                    yield Static("", id="admin-body", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#admin-workflows", OptionList).focus()
        self.load_workflows()

    # --- loading ----------------------------------------------------------------------------------

    @work(exclusive=True, group="admin-list", exit_on_error=False)
    async def load_workflows(self, select: str | None = None) -> None:
        self.workflows = await self.registry.list(self.session.tenant_id)
        listing = self.query_one("#admin-workflows", OptionList)
        listing.clear_options()
        listing.add_options([Option(workflow_label(s), id=s.slug) for s in self.workflows])
        slugs = [s.slug for s in self.workflows]
        target = select or self.slug
        if slugs:
            listing.highlighted = slugs.index(target) if target in slugs else 0

    @on(OptionList.OptionHighlighted, "#admin-workflows")
    def _workflow_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.slug = event.option.id
        self.load_versions()

    @work(exclusive=True, group="admin-versions", exit_on_error=False)
    async def load_versions(self, number: int | None = None) -> None:
        slug = self.slug
        if slug is None:
            return
        summary = next((s for s in self.workflows if s.slug == slug), None)
        self.versions = await self.registry.versions(self.session.tenant_id, slug)
        if summary is not None:
            self._info(summary)
        versions = self.query_one("#admin-versions", OptionList)
        versions.clear_options()
        shown = list(reversed(self.versions))  # newest first
        versions.add_options([Option(version_label(v), id=str(v.number)) for v in shown])
        numbers = [v.number for v in shown]
        if numbers:
            versions.highlighted = numbers.index(number) if number in numbers else 0
        self.view = "json"
        await self._render_view()

    def _info(self, s: WorkflowSummary) -> None:
        origin = "core (read-only: clone it with c)" if s.is_core else "tenant"
        if s.overrides_core:
            origin = "tenant copy of a core workflow"
        window = ""
        if s.trigger_min_days is not None or s.trigger_max_days is not None:
            low, high = s.trigger_min_days, s.trigger_max_days
            days = f"≤ {high}" if low is None else (f"≥ {low}" if high is None else f"{low}–{high}")
            window = f" · days to renewal {days}"
        self.query_one("#admin-info", Static).update(
            Text.assemble(
                (clean(s.name) or clean(s.slug), "bold"),
                f"  {clean(s.slug)} · {s.workflow_type} · {s.format} · {origin}{window}",
            )
        )

    @on(OptionList.OptionHighlighted, "#admin-versions")
    def _version_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if self.view != "validate":
            self._refresh_view()

    @property
    def version_number(self) -> int | None:
        versions = self.query_one("#admin-versions", OptionList)
        index = versions.highlighted
        if index is None or not (0 <= index < versions.option_count):
            return None
        option_id = versions.get_option_at_index(index).id
        return int(option_id) if option_id else None

    @work(exclusive=True, group="admin-view", exit_on_error=False)
    async def _refresh_view(self) -> None:
        await self._render_view()

    async def _render_view(self) -> None:
        slug, number = self.slug, self.version_number
        title = self.query_one("#admin-view-title", Static)
        body = self.query_one("#admin-body", Static)
        if slug is None or number is None:
            title.update("")
            body.update("")
            return
        tenant = self.session.tenant_id
        if self.view == "diff":
            before = number - 1 if number > 1 else None
            if before is None:
                title.update(
                    f"v{number} is the first version: nothing to compare (d on a later one)"
                )
                body.update("")
                return
            diff = await self.registry.diff(tenant, slug, before, number)
            title.update(f"diff v{before} → v{number} · j: JSON")
            body.update(diff_text(diff))
        else:
            loaded = await self.registry.version(tenant, slug, number, expanded=False)
            text = json.dumps(loaded.raw_config, indent=2, ensure_ascii=False, sort_keys=True)
            title.update(
                f"v{number} JSON · d: diff with v{number - 1}" if number > 1 else f"v{number} JSON"
            )
            body.update(Syntax(text, "json", theme="ansi_dark", word_wrap=True))
        self.query_one("#admin-view", VerticalScroll).scroll_home(animate=False)

    # --- actions ----------------------------------------------------------------------------------

    def action_close(self) -> None:
        self.dismiss(None)

    def action_show_json(self) -> None:
        self.view = "json"
        self._refresh_view()

    def action_show_diff(self) -> None:
        self.view = "diff"
        self._refresh_view()

    def action_validate(self) -> None:
        self.view = "validate"
        self._validate()

    @work(exclusive=True, group="admin-view", exit_on_error=False)
    async def _validate(self) -> None:
        results = await self.registry.validate_all(self.session.tenant_id)
        bad = [(slug, problems) for slug, problems in results if problems]
        out = Text()
        for slug, problems in results:
            mark, style = ("✗", "bold red") if problems else ("✓", "green")
            out.append(f"{mark} ", style=style)
            out.append(clean(slug) + "\n", style="bold" if problems else "")
            for problem in problems:
                out.append(f"    {clean(str(problem))}\n", style="red")
        out.rstrip()
        self.query_one("#admin-view-title", Static).update(
            f"validation: {len(results)} workflows, {len(bad)} with problems · j: JSON"
        )
        self.query_one("#admin-body", Static).update(out)

    def action_rollback(self) -> None:
        slug, number = self.slug, self.version_number
        summary = next((s for s in self.workflows if s.slug == slug), None)
        if slug is None or number is None or summary is None:
            return
        if summary.is_core:
            self.notify(
                f"{slug} is a core workflow: clone it (c) and change the copy.",
                severity="warning",
                markup=False,
            )
            return
        if number == summary.version_number:
            self.notify(f"v{number} is the current version.", severity="warning", markup=False)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._rollback(slug, number)

        self.app.push_screen(
            ConfirmScreen(f"Roll {slug} back to v{number}? (a new version, equal to v{number})"),
            answered,
        )

    @work(exclusive=True, group="admin-change", exit_on_error=False)
    async def _rollback(self, slug: str, number: int) -> None:
        user = self.session.services.user
        loaded = await self.registry.rollback(
            self.session.tenant_id, slug, number, user.email, actor_id=user.id
        )
        self.notify(f"{slug}: v{loaded.version_number} = v{number}", markup=False)
        self.load_workflows(slug)
        self.load_versions(loaded.version_number)

    def action_clone(self) -> None:
        summary = next((s for s in self.workflows if s.slug == self.slug), None)
        if summary is None:
            return
        if not summary.is_core:
            self.notify(f"{summary.slug} is already the tenant's own.", markup=False)
            return
        self._clone(summary.slug)

    @work(exclusive=True, group="admin-change", exit_on_error=False)
    async def _clone(self, slug: str) -> None:
        user = self.session.services.user
        await self.registry.clone(self.session.tenant_id, slug, user.email, actor_id=user.id)
        self.notify(f"{slug} cloned for the tenant (v1).", markup=False)
        self.load_workflows(slug)


__all__: list[Any] = ["ConfirmScreen", "WorkflowAdminScreen", "diff_text"]
