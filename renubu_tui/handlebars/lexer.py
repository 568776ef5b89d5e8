"""The Handlebars 4.7 lexer, rule for rule (src/handlebars.l), so a template is split as in JS.

pybars3's grammar accepts things Handlebars refuses and splits some it accepts differently
(`\\{{`, `{{else if}}`, number literals, `{{~`), so templates are tokenized here. The rules are
the jison ones translated to Python regular expressions with JS meanings kept: `\\s` is JS
whitespace, `$` is the end of input, `\\b` is an ASCII word boundary. As in jison, the first
rule that matches wins and states form a stack (INITIAL, mu, emu, com, raw).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple, cast

from renubu_tui.handlebars.errors import TemplateError
from renubu_tui.handlebars.js import WHITESPACE

if TYPE_CHECKING:
    from collections.abc import Callable

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
# The characters each rule of _MU_RULES can begin with, in the same order (a superset is safe:
# a rule that cannot match where it is tried simply fails). ID_CLASS: _ID's characters.
_ID_CLASS, _ANY = "", "*"
_FIRST_CHARS = [
    *("(", ")", "{", "}"),
    *("{" for _ in range(13)),  # OPEN_PARTIAL … OPEN
    *("=", ".", ".", "/.", WHITESPACE, "}", "~}", '"', "'", "@", "t", "f", "u", "n"),
    *("-0123456789", "a", "|", _ID_CLASS, "[", _ANY),
]
_ID_CHAR = re.compile(_ID[:-1])


def _alternation(indexes: list[int]) -> re.Pattern[str]:
    """The rules `indexes` as one alternation, tried in jison's order: the first that matches
    wins, as a loop over them would have it, with one call into the regex engine."""
    return re.compile("|".join(f"(?P<r{i}>{_MU_RULES[i][0]})" for i in indexes))


def _can_begin_with(index: int, char: str) -> bool:
    first = _FIRST_CHARS[index]
    if first == _ANY:
        return True
    if first == _ID_CLASS:
        return _ID_CHAR.fullmatch(char) is not None
    return char in first


# Every rule, for reference (tests check the dispatch below against it).
_MU = _alternation(list(range(len(_MU_RULES))))
# By the character a token begins with, only the rules that can begin with it: most tokens are
# decided by their first alternative instead of after trying the thirty before them.
_DISPATCH: list[re.Pattern[str]] = []
for _code in range(128):
    _DISPATCH.append(
        _alternation([i for i in range(len(_MU_RULES)) if _can_begin_with(i, chr(_code))])
    )
_NON_ASCII = _alternation(  # not whitespace (skipped before): an ID, else INVALID
    [i for i in range(len(_MU_RULES)) if _FIRST_CHARS[i] in (_ID_CLASS, _ANY)]
)
_MU_ACTIONS = {f"r{i}": action for i, (_, action) in enumerate(_MU_RULES)}
_SKIP = re.compile(f"{_S}*")
# `_S*` matches everywhere (if only the empty string): its match is never None
_SKIP_AT = cast("Callable[[str, int], re.Match[str]]", _SKIP.match)
_PLAIN = frozenset(action for _, action in _MU_RULES if action.isupper())
_LEAVING = {  # actions that end the mu state, with the token they emit
    "inverse": "INVERSE",
    "comment": "COMMENT",
    "close": "CLOSE",
    "close_unescaped": "CLOSE_UNESCAPED",
}
# A tag of plain names only: {{name}}, {{a.b/c}}, {{#if a.b c}}, {{/if}} — most of a template's
# tags. Each name starts with a letter or _ and is not a word the rules read otherwise (true,
# false, null, undefined: literals before space or }}; else: {{else}} and {{else …}}); one
# space or more between names; no third } after the }} (that is }}} or }}}}). The mu rules
# split such a tag into OPEN/OPEN_BLOCK/OPEN_ENDBLOCK, ID and SEP tokens and CLOSE, as
# _simple_tag does at once (tests/handlebars/test_template_compile.py holds the two equal).
_NAME = r"(?!(?:true|false|null|undefined|else)(?![A-Za-z0-9_]))[A-Za-z_][A-Za-z0-9_]*"
_PATH = rf"{_NAME}(?:[./]{_NAME})*"
_SIMPLE_TAG = re.compile(rf"\{{\{{([#/]?)(?:{_PATH})(?: +{_PATH})*\}}\}}(?!\}})")
_SIMPLE_WORD = re.compile(r"[A-Za-z0-9_]+|[./]")
_SIMPLE_OPENS = {"": "OPEN", "#": "OPEN_BLOCK", "/": "OPEN_ENDBLOCK"}
_ESCAPED_CONTENT = re.compile(r"[^\x00]{2,}?(?=\{\{|\\\{\{|\\\\\{\{|\Z)")
_LONG_COMMENT = re.compile(r"[\s\S]*?--~?\}\}")
_RAW_OPEN = re.compile(r"\{\{\{\{(?=[^/])")
_RAW_END = re.compile(rf"\{{\{{\{{\{{/({_ID})(?=[=}}{WHITESPACE}/.])\}}\}}\}}\}}")
_RAW_CONTENT = re.compile(r"[^\x00]+?(?=\{\{\{\{)")
_BRACKET_ESCAPE = re.compile(r"\\([\\\]])")


class Token(NamedTuple):
    """One token (a NamedTuple: made ~3× faster than a frozen dataclass, tens of thousands of
    them in a large template)."""

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
                if _LONG_COMMENT.match(self.source, start) is None:
                    raise _unclosed(self.source, start, "comment", "--}}")
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
        # [^\x00]*?(?=\{\{) then [^\x00]+, with str.find: the lazy regex tested its lookahead
        # at every character of the text (most of a template's length).
        source = self.source
        brace = source.find("{{", start)
        nul = source.find("\x00", start, len(source) if brace < 0 else brace)
        if brace >= 0 and nul < 0:
            self.pos = brace
            text = source[start:brace]
            simple = None
            if text.endswith("\\\\"):
                text = text[:-1]
                self.begin("mu")
            elif text.endswith("\\"):
                text = text[:-1]
                self.begin("emu")
            else:
                simple = _SIMPLE_TAG.match(source, brace)
                if simple is None:
                    self.begin("mu")
            if text:
                self.emit("CONTENT", text, start)
            if simple is not None:
                self._simple_tag(simple)
            return False
        end = len(source) if nul < 0 else nul
        if end > start:
            self.pos = end
            self.emit("CONTENT", source[start:end], start)
            return False
        if start == len(source):
            self.emit("EOF", "", start)
            return True
        raise _lexical_error(self.source, start)

    def _simple_tag(self, match: re.Match[str]) -> None:
        """The tokens of a tag like {{name}}, {{#if a.b c}} or {{/if}}, as the mu rules make
        them (_SIMPLE_TAG admits only what they split this way), without entering mu."""
        append = self.tokens.append
        start, sigil, end = match.start(), match.group(1), match.end()
        append(Token(_SIMPLE_OPENS[sigil], "{{" + sigil, start))
        for word in _SIMPLE_WORD.finditer(match.string, start + 2 + len(sigil), end - 2):
            text = word.group()
            append(Token("SEP" if text in "./" else "ID", text, word.start()))
        append(Token("CLOSE", "}}", end - 2))
        self.pos = end

    def _mu(self, start: int) -> bool:
        """Tokens of the mu state, up to the one that leaves it; True at the end of input.

        Whitespace is skipped first: no rule before `skip` can begin with whitespace, so at a
        whitespace character `skip` is the rule that matches. Plain tokens (the rules whose
        action is a token type) are appended in a tight loop: this is most of a template's
        tokens.
        """
        source, end_of_input = self.source, len(self.source)
        append, skip, rules, actions = self.tokens.append, _SKIP_AT, _MU.match, _MU_ACTIONS
        dispatch, non_ascii = _DISPATCH, _NON_ASCII.match
        pos = start
        while True:
            pos = skip(source, pos).end()
            if pos == end_of_input:
                self.pos = pos
                append(Token("EOF", "", pos))
                return True
            code = ord(source[pos])
            if code < 128:
                match = dispatch[code].match(source, pos)
            elif source[pos] in WHITESPACE:  # pragma: no cover - skipped above
                match = rules(source, pos)
            else:
                match = non_ascii(source, pos)  # the last rule matches any character
            if match is None or match.lastgroup is None:  # pragma: no cover
                raise _lexical_error(source, pos)
            action = actions[match.lastgroup]
            if action in _PLAIN:
                append(Token(action, match.group(), pos))
                pos = match.end()
                continue
            self.pos = pos
            self._mu_action(action, match)
            if self.states[-1] != "mu":
                return False
            pos = self.pos

    def _mu_action(self, action: str, match: re.Match[str]) -> None:
        start, text = match.start(), match.group()
        self.pos = match.end()
        if action == "long_comment":
            self.pos = start  # jison's unput: the comment state re-reads the opening
            self.pop()
            self.begin("com")
        elif action in _LEAVING:
            self.pop()
            self.emit(_LEAVING[action], text, start)
        elif action == "open_raw":
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
        else:  # pragma: no cover - every action is handled above
            raise AssertionError(action)

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
        if _RAW_CONTENT.match(self.source, start) is None:
            opened = [t.pos for t in self.tokens if t.type == "OPEN_RAW_BLOCK"]
            at = opened[-1] if opened else start  # `}}}}` alone also starts raw text
            raise _unclosed(self.source, at, "raw block", "{{{{/…}}}}")
        self._match_or_fail(_RAW_CONTENT, start)
        self.emit("CONTENT", self.source[start : self.pos], start)


def _lexical_error(source: str, pos: int) -> TemplateError:
    line, column = line_column(source, pos)
    near = source[pos : pos + 20].split("\n", 1)[0]
    return TemplateError(f"line {line}, column {column}: unrecognized text {near!r}")


def _unclosed(source: str, pos: int, what: str, closing: str) -> TemplateError:
    line, column = line_column(source, pos)
    near = source[pos : pos + 20].split("\n", 1)[0]
    return TemplateError(
        f"unclosed {what} at line {line}, column {column}: {near!r} has no {closing} before "
        "the end of the template"
    )


def line_column(source: str, pos: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = source.count("\n", 0, pos) + 1
    return line, pos - (source.rfind("\n", 0, pos) + 1) + 1


def tokenize(source: str) -> list[Token]:
    """All tokens of a template, ending with EOF; raises TemplateError on a lexical error."""
    return _Lexer(source).run()
