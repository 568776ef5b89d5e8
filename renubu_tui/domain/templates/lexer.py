"""The Handlebars 4.7 lexer, rule for rule (src/handlebars.l), so a template is split as in JS.

pybars3's grammar accepts things Handlebars refuses and splits some it accepts differently
(`\\{{`, `{{else if}}`, number literals, `{{~`), so templates are tokenized here. The rules are
the jison ones translated to Python regular expressions with JS meanings kept: `\\s` is JS
whitespace, `$` is the end of input, `\\b` is an ASCII word boundary. As in jison, the first
rule that matches wins and states form a stack (INITIAL, mu, emu, com, raw).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from renubu_tui.domain.templates.errors import TemplateError
from renubu_tui.domain.templates.js import WHITESPACE

__all__ = ["Token", "tokenize"]

_S = f"[{WHITESPACE}]"
_ID = f'[^{WHITESPACE}!"#%-,\\./;->@\\[-\\^`\\{{-~]+'
_LOOKAHEAD = f"(?=[=~}}{WHITESPACE}/.)|])"
_LITERAL_LOOKAHEAD = f"(?=[~}}{WHITESPACE})])"
_WORD_END = "(?![A-Za-z0-9_])"

# (pattern, token type or action) in jison's order. Actions in lower case are handled in code.
_MU_RULES: list[tuple[str, str]] = [
    (r"\(", "OPEN_SEXPR"),
    (r"\)", "CLOSE_SEXPR"),
    (r"\{\{\{\{", "open_raw"),
    (r"\}\}\}\}", "close_raw"),
    (r"\{\{~?>", "OPEN_PARTIAL"),
    (r"\{\{~?#>", "OPEN_PARTIAL_BLOCK"),
    (r"\{\{~?#\*?", "OPEN_BLOCK"),
    (r"\{\{~?/", "OPEN_ENDBLOCK"),
    (rf"\{{\{{~?\^{_S}*~?\}}\}}", "inverse"),
    (rf"\{{\{{~?{_S}*else{_S}*~?\}}\}}", "inverse"),
    (r"\{\{~?\^", "OPEN_INVERSE"),
    (rf"\{{\{{~?{_S}*else{_WORD_END}", "OPEN_INVERSE_CHAIN"),
    (r"\{\{~?\{", "OPEN_UNESCAPED"),
    (r"\{\{~?&", "OPEN"),
    (r"\{\{~?!--", "long_comment"),
    (r"\{\{~?![\s\S]*?\}\}", "comment"),
    (r"\{\{~?\*?", "OPEN"),
    (r"=", "EQUALS"),
    (r"\.\.", "ID"),
    (rf"\.{_LOOKAHEAD}", "ID"),
    (r"[/.]", "SEP"),
    (rf"{_S}+", "skip"),
    (r"\}~?\}\}", "close_unescaped"),
    (r"~?\}\}", "close"),
    (r'"(?:\\"|[^"])*"', "dstring"),
    (r"'(?:\\'|[^'])*'", "sstring"),
    (r"@", "DATA"),
    (rf"true{_LITERAL_LOOKAHEAD}", "BOOLEAN"),
    (rf"false{_LITERAL_LOOKAHEAD}", "BOOLEAN"),
    (rf"undefined{_LITERAL_LOOKAHEAD}", "UNDEFINED"),
    (rf"null{_LITERAL_LOOKAHEAD}", "NULL"),
    (rf"-?[0-9]+(?:\.[0-9]+)?{_LITERAL_LOOKAHEAD}", "NUMBER"),
    (rf"as{_S}+\|", "OPEN_BLOCK_PARAMS"),
    (r"\|", "CLOSE_BLOCK_PARAMS"),
    (rf"{_ID}{_LOOKAHEAD}", "ID"),
    (r"\[(?:\\\]|[^\]])*\]", "bracket_id"),
    (r"[\s\S]", "INVALID"),
]
_MU = [(re.compile(pattern), action) for pattern, action in _MU_RULES]
_CONTENT_TO_MUSTACHE = re.compile(r"[^\x00]*?(?=\{\{)")
_CONTENT_REST = re.compile(r"[^\x00]+")
_ESCAPED_CONTENT = re.compile(r"[^\x00]{2,}?(?=\{\{|\\\{\{|\\\\\{\{|\Z)")
_LONG_COMMENT = re.compile(r"[\s\S]*?--~?\}\}")
_RAW_OPEN = re.compile(r"\{\{\{\{(?=[^/])")
_RAW_END = re.compile(rf"\{{\{{\{{\{{/({_ID})(?=[=}}{WHITESPACE}/.])\}}\}}\}}\}}")
_RAW_CONTENT = re.compile(r"[^\x00]+?(?=\{\{\{\{)")
_BRACKET_ESCAPE = re.compile(r"\\([\\\]])")


@dataclass(frozen=True, slots=True)
class Token:
    type: str
    text: str
    pos: int


class _Lexer:
    def __init__(self, source: str) -> None:
        self.source = source
        self.pos = 0
        self.states = ["INITIAL"]
        self.tokens: list[Token] = []

    def begin(self, state: str) -> None:
        self.states.append(state)

    def pop(self) -> None:
        if len(self.states) > 1:
            self.states.pop()

    def emit(self, kind: str, text: str, start: int) -> None:
        self.tokens.append(Token(kind, text, start))

    def run(self) -> list[Token]:
        while True:
            state = self.states[-1]
            start = self.pos
            if state == "INITIAL":
                if self._initial(start):
                    return self.tokens
            elif state == "mu":
                if self._mu(start):
                    return self.tokens
            elif state == "emu":
                self._match_or_fail(_ESCAPED_CONTENT, start)
                self.pop()
                self.emit("CONTENT", self.source[start : self.pos], start)
            elif state == "com":
                self._match_or_fail(_LONG_COMMENT, start)
                self.pop()
                self.emit("COMMENT", self.source[start : self.pos], start)
            else:
                self._raw(start)

    def _match_or_fail(self, pattern: re.Pattern[str], start: int) -> re.Match[str]:
        match = pattern.match(self.source, start)
        if match is None:
            raise _lexical_error(self.source, start)
        self.pos = match.end()
        return match

    def _initial(self, start: int) -> bool:
        match = _CONTENT_TO_MUSTACHE.match(self.source, start)
        if match is not None:
            self.pos = match.end()
            text = match.group()
            if text.endswith("\\\\"):
                text = text[:-1]
                self.begin("mu")
            elif text.endswith("\\"):
                text = text[:-1]
                self.begin("emu")
            else:
                self.begin("mu")
            if text:
                self.emit("CONTENT", text, start)
            return False
        match = _CONTENT_REST.match(self.source, start)
        if match is not None:
            self.pos = match.end()
            self.emit("CONTENT", match.group(), start)
            return False
        if start == len(self.source):
            self.emit("EOF", "", start)
            return True
        raise _lexical_error(self.source, start)

    def _mu(self, start: int) -> bool:
        if start == len(self.source):
            self.emit("EOF", "", start)
            return True
        match, action = None, ""
        for pattern, rule in _MU:  # the first rule that matches wins; the last matches anything
            match = pattern.match(self.source, start)
            if match is not None:
                action = rule
                break
        if match is None:  # pragma: no cover
            raise _lexical_error(self.source, start)
        text = match.group()
        self.pos = match.end()
        if action == "skip":
            return False
        if action == "long_comment":
            self.pos = start  # jison's unput: the comment state re-reads the opening
            self.pop()
            self.begin("com")
            return False
        if action in ("inverse", "comment", "close", "close_unescaped"):
            self.pop()
            kind = {
                "inverse": "INVERSE",
                "comment": "COMMENT",
                "close": "CLOSE",
                "close_unescaped": "CLOSE_UNESCAPED",
            }[action]
            self.emit(kind, text, start)
            return False
        if action == "open_raw":
            self.emit("OPEN_RAW_BLOCK", text, start)
        elif action == "close_raw":
            self.pop()
            self.begin("raw")
            self.emit("CLOSE_RAW_BLOCK", text, start)
        elif action == "dstring":
            self.emit("STRING", text[1:-1].replace('\\"', '"'), start)
        elif action == "sstring":
            self.emit("STRING", text[1:-1].replace("\\'", "'"), start)
        elif action == "bracket_id":
            self.emit("ID", _BRACKET_ESCAPE.sub(r"\1", text), start)
        else:
            self.emit(action, text, start)
        return False

    def _raw(self, start: int) -> None:
        match = _RAW_OPEN.match(self.source, start)
        if match is not None:
            self.pos = match.end()
            self.begin("raw")
            self.emit("CONTENT", match.group(), start)
            return
        match = _RAW_END.match(self.source, start)
        if match is not None:
            self.pos = match.end()
            self.pop()
            if self.states[-1] == "raw":
                self.emit("CONTENT", match.group(), start)
            else:
                self.emit("END_RAW_BLOCK", match.group(1), start)
            return
        self._match_or_fail(_RAW_CONTENT, start)
        self.emit("CONTENT", self.source[start : self.pos], start)


def _lexical_error(source: str, pos: int) -> TemplateError:
    line, column = line_column(source, pos)
    near = source[pos : pos + 20].split("\n", 1)[0]
    return TemplateError(f"line {line}, column {column}: unrecognized text {near!r}")


def line_column(source: str, pos: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = source.count("\n", 0, pos) + 1
    return line, pos - (source.rfind("\n", 0, pos) + 1) + 1


def tokenize(source: str) -> list[Token]:
    """All tokens of a template, ending with EOF; raises TemplateError on a lexical error."""
    return _Lexer(source).run()
