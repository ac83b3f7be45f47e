"""Hostile input for the property-based tests: text, dates and amounts an office manager (or a file) may hand us.

Lone surrogates (which Python lets into a str but UTF-8 and so the database cannot hold) are left out of
`hostile_text`; they reach the app only through undecodable bytes in argv or a file name and are tried
explicitly where they can arrive (`SURROGATES`).

The "ci" profile is derandomized so every run tries the same examples; decorate tests with PURE (pure
functions) or DB (tests that write to a database), which are that profile with a fitting example count.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    database=None,  # nothing written beside the tests: the same examples run every time anyway
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.large_base_example,
                           HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

PURE = settings(settings.get_profile("ci"), max_examples=40)
DB = settings(settings.get_profile("ci"), max_examples=12)

SQL = ("'); DROP TABLE patient;--", "1 OR 1=1", "x' UNION SELECT * FROM staff --", "Robert'); DELETE FROM item; --")
MARKUP = ("[bold]x[/bold]", "[/]", "[link=x]click[/link]", "[red]", "[@click=app.quit]q[/]", "[b]")
CONTROL = ("\x00", "\r", "\n", "\x1b[31m", "\t", "\x07", "\x7f", "\u202e", "\ufeff")
EMOJI = ("🩺", "👩🏽‍⚕️", "e\u0301", "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǫ̗", "日本語", "🏳️‍🌈")
SURROGATES = ("\udcff", "a\ud800b")
# Undecodable argv bytes become \udc80-\udcff (surrogateescape); other lone surrogates cannot come from argv.
ARGV_SURROGATES = ("\udcff", "a\udce9b")
SPECIMENS = (*SQL, *MARKUP, *CONTROL, *EMOJI)

_chars = st.characters(exclude_categories=("Cs",))
_pieces = st.one_of(st.sampled_from(SPECIMENS), st.text(_chars, max_size=12))


@st.composite
def _joined(draw: st.DrawFn) -> str:
    return "".join(draw(st.lists(_pieces, max_size=6)))


# Short hostile text (a name, a note), and sometimes a very long one (a pasted page).
hostile_text = st.one_of(
    st.sampled_from(("", " ", "  \t ", *SPECIMENS)),
    _joined(),
    st.builds(lambda piece, n: piece * n, st.sampled_from(("x", "é", "🩺", "[b]", "\x00", "' ;")),
              st.integers(min_value=61, max_value=3000)),
)

IMPOSSIBLE_DATES = ("2026-02-30", "13/45/2026", "0000-00-00", "2026-13-01", "00/00/0000", "02/29/2027", "9999-99-99",
                    "-1", "2026-11-23T25:00", "1e9", "today", "11/23/-2026", "١١/٢٣/٢٠٢٦", "2026/11/23")
AMOUNTS = ("-5", "-0.01", "1e20", "1,2,3", "$-5", "NaN", "nan", "inf", "-inf", "99999999999999999999999",
           "12.345", "$", ".", "1.", "0x10", "½", "١٢", "1_000", "--1", "+5", "$ 5", "5$", "1,000.5")

hostile_date = st.one_of(st.sampled_from(IMPOSSIBLE_DATES), hostile_text,
                         st.dates().map(lambda d: d.strftime("%m/%d/%Y")))
hostile_amount = st.one_of(st.sampled_from(AMOUNTS), hostile_text,
                           st.integers(min_value=-10**25, max_value=10**25).map(str),
                           st.floats(allow_nan=True, allow_infinity=True).map(str))
# What a pydantic schema may be handed instead of text: wrong types.
wrong_type = st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**20, max_value=10**20),
                       st.floats(), st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3),
                                                                                         st.integers(), max_size=2))
any_value = st.one_of(hostile_text, hostile_date, hostile_amount, wrong_type)
