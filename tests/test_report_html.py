"""The run report opens correctly in a real browser (headless Chromium) and shows the ledger's figures."""

from __future__ import annotations

import base64
import dataclasses
import io
import re
import shutil
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from hummingbot_plugin.audit.records import RiskTransitionRecord
from hummingbot_plugin.data import load_candles
from hummingbot_plugin.errors import ConfigError, DataError
from hummingbot_plugin.ledger import Fill, LedgerBook, Market, Marks, account_figures, build_ledger
from hummingbot_plugin.report import (
    MAX_TRADE_ROWS,
    EquityCurves,
    RiskChange,
    RunReport,
    Section,
    drawdown_pct_series,
    render_html,
    report_from_ledger,
    write_report,
)

BTC, ETH = Market("binance", "BTC-USDT"), Market("binance", "ETH-USDT")
FEE = 0.001
TITLE = "AI BTC+ETH <script>document.title='pwned'</script> & co"
HALT_TEXT = "drawdown 10.97% of capital <b>not bold</b>"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
)
PROBE = (
    "<script>window.addEventListener('load',()=>{document.body.dataset.images=[...document.images]"
    ".map(i=>i.id+':'+i.naturalWidth+'x'+i.naturalHeight+':'+i.complete).join(' ')});</script>"
)


def _marks(shared_data_dir: Path, start: str, end: str) -> Marks:
    closes = {}
    for market in (BTC, ETH):
        frame = load_candles(shared_data_dir / f"binance_{market.trading_pair}_1h.csv", start=start, end=end)
        closes[market] = (frame["timestamp"].to_numpy(), frame["close"].to_numpy())
    return Marks.aligned(closes)


def _fill(marks: Marks, market: Market, bar: int, side: int, quote: float, tag: str) -> Fill:
    px = float(marks.prices[market][bar])
    return Fill(
        float(marks.timestamps[bar]),
        market,
        side,
        px,
        quote / px,
        quote * FEE,
        order_id=tag,
        executor_id=f"ex-{tag}",
    )


def _round_trip(marks: Marks, market: Market, entry: int, exit_: int, quote: float, tag: str) -> list[Fill]:
    buy = _fill(marks, market, entry, 1, quote, f"{tag}-buy")
    exit_px = float(marks.prices[market][exit_])
    sell = Fill(
        float(marks.timestamps[exit_]),
        market,
        -1,
        exit_px,
        buy.amount,
        buy.amount * exit_px * FEE,
        order_id=f"{tag}-sell",
        executor_id=f"ex-{tag}",
    )
    return [buy, sell]


@pytest.fixture(scope="module")
def run(shared_data_dir: Path) -> tuple[LedgerBook, RunReport]:
    """A small real ledger (BTC+ETH, 1h, March 2023) with a buy-and-hold comparison and a HALT."""
    marks = _marks(shared_data_dir, "2023-03-01", "2023-03-21")
    fills = [
        *_round_trip(marks, BTC, 10, 100, 500.0, "b1"),
        *_round_trip(marks, BTC, 150, 300, 600.0, "b2"),
        *_round_trip(marks, ETH, 20, 200, 400.0, "e1"),
        _fill(marks, ETH, 320, 1, 300.0, "e2-buy"),
    ]
    ledger = build_ledger(fills, {"binance": {"USDT": 2000.0}}, marks)
    hold = build_ledger(
        [_fill(marks, BTC, 0, 1, 2000.0 / (1 + FEE), "hold")], {"binance": {"USDT": 2000.0}}, marks
    )
    hold_fig = dataclasses.replace(account_figures(hold), scope="buy-and-hold BTC-USDT")
    halt = RiskChange.from_record(
        RiskTransitionRecord(  # as the audit trail records it
            ts=float(marks.timestamps[250]),
            source="ai_btc",
            scope="ai_btc",
            from_state="ACTIVE",
            to_state="HALTED",
            reason_code="DRAWDOWN_PCT",
            reason_text=HALT_TEXT,
        )
    )
    parity = Section("Parity", "backtest vs replay", ("check", "value"), (("same entries", True), ("Δ", 0.5)))
    report = report_from_ledger(
        ledger,
        kind="backtest",
        title=TITLE,
        subtitle="conf/x.yml on binance_*_1h.csv",
        fee="0.1 % taker",
        comparisons=[(hold_fig, hold.equity)],
        risk_changes=[halt],
        sections=[parity],
    )
    return ledger, report


def _chromium(*args: str, tmp: Path, timeout: float = 120.0) -> str:
    exe = shutil.which("chromium")
    if exe is None:
        pytest.fail("chromium not found: run `make setup` (tools/setup.sh installs Debian's chromium)")
    profile = tmp / "chromium-profile"
    done = subprocess.run(
        [exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"chromium failed ({done.returncode}): {done.stderr[-2000:]}"
    return done.stdout


class _Dom(HTMLParser):
    """The text of each element with an id (and of title/h1), every table's body rows, scripts and URLs."""

    VOID = frozenset({"meta", "img", "br", "link", "input", "hr", "source"})

    def __init__(self, text: str) -> None:
        super().__init__()
        self.texts: dict[str, str] = {}
        self.tables: dict[str, list[list[str]]] = {}
        self.scripts, self.urls, self.body_attrs = 0, list[str](), dict[str, str | None]()
        self._open: list[str] = []
        self._table = ""
        self._cell: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.scripts += tag == "script"
        self.urls += [v for k, v in attrs if k in ("src", "href") and v and not v.startswith("data:image/")]
        self.body_attrs = a if tag == "body" else self.body_attrs
        if tag == "table":
            self._table = a.get("id") or ""
            self.tables[self._table] = []
        elif tag == "tr":
            self.tables[self._table].append([])
        elif tag == "td":
            self._cell = []
        if tag not in self.VOID:
            self._open.append(a.get("id") or (tag if tag in ("title", "h1") else ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.tables[self._table][-1].append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and not self.tables[self._table][-1]:
            self.tables[self._table].pop()  # the header row has no <td>
        if tag not in self.VOID and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for key in filter(None, self._open):
            self.texts[key] = self.texts.get(key, "") + data
        if self._cell is not None:
            self._cell.append(data)


def _money(x: float) -> str:  # independent of the report's own formatting code
    return f"{round(x, 2) + 0.0:,.2f} USDT"


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


@pytest.fixture(scope="module")
def browser(run: tuple[LedgerBook, RunReport], tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The report written once, opened by Chromium three times: DOM, DOM after load (probed), screenshot."""
    tmp = tmp_path_factory.mktemp("report")
    page = write_report(tmp / "out" / "report.html", run[1])
    probe = tmp / "probe.html"
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    shot = tmp / "screenshot.png"
    timing = ("--run-all-compositor-stages-before-draw", "--virtual-time-budget=5000")
    _chromium(*timing, "--window-size=1280,2400", f"--screenshot={shot}", page.as_uri(), tmp=tmp)
    return {
        "html": page.read_text(encoding="utf-8"),
        "dom": _Dom(_chromium("--dump-dom", page.as_uri(), tmp=tmp)),
        "probed": _Dom(_chromium(*timing, "--dump-dom", probe.as_uri(), tmp=tmp)),
        "shot": shot,
    }


def test_browser_shows_title_period_scope_and_escaped_text(browser: dict[str, object]) -> None:
    dom = browser["dom"]
    assert isinstance(dom, _Dom)
    heading = f"Backtest report — {TITLE}"
    assert dom.texts["title"] == heading and dom.texts["h1"] == heading  # markup in the title stays text
    assert dom.scripts == 0 and dom.urls == []  # nothing ran, nothing is fetched
    assert dom.body_attrs.get("data-report-kind") == "backtest"
    assert dom.texts["period"].startswith("2023-03-01T00:00:00Z → 2023-03-21T23:00:00Z")
    assert dom.texts["scope"] == "account = binance BTC-USDT + binance ETH-USDT"
    assert dom.texts["fee"] == "0.1 % taker"
    assert [r[:3] for r in dom.tables["risk"]] == [["2023-03-11T10:00:00Z", "ai_btc", "ACTIVE → HALTED"]]
    assert dom.tables["risk"][0][3:] == ["DRAWDOWN_PCT", HALT_TEXT]


def test_browser_headline_table_holds_the_ledger_figures(
    run: tuple[LedgerBook, RunReport], browser: dict[str, object]
) -> None:
    ledger, report = run
    dom = browser["dom"]
    assert isinstance(dom, _Dom)
    rows = {r[0]: r[1:] for r in dom.tables["headline"]}  # figure -> account, BTC, ETH, buy-and-hold
    net = float(ledger.equity[-1] - ledger.start_equity)
    assert rows["Start equity"][0] == "2,000.00 USDT"
    assert rows["End equity"][0] == _money(float(ledger.equity[-1]))
    assert rows["Net PnL"][0] == _money(net) and rows["Return"][0] == f"{net / 2000.0 * 100.0:.2f} %"
    assert rows["Trades"] == ["3", "2", "1", "0"]  # three closed round trips; the last ETH buy is still open
    btc_pnl = sum(t.pnl_quote for t in ledger.markets[BTC].trades)
    assert rows["Net PnL"][1] == _money(btc_pnl)  # BTC is flat at the end: its PnL is its trades'
    fees = sum(f.fee_quote for b in ledger.markets.values() for f in b.fills)
    assert rows["Fees"][0] == _money(fees) and rows["Fills (maker)"][0] == "7 (0)"
    curve = ledger.equity
    drawdown = float(np.max(1 - curve / np.maximum.accumulate(curve))) * 100  # recomputed from the curve
    assert rows["Max drawdown"][0] == f"{drawdown:.2f} %"
    hold_return = float(report.equity.curves["buy-and-hold BTC-USDT"][-1] / 2000.0 - 1) * 100
    assert rows["Return"][3] == f"{hold_return:.2f} %"
    trades = dom.tables["trades"]
    assert [r[1] for r in trades] == ["binance BTC-USDT", "binance ETH-USDT", "binance BTC-USDT"]
    first = ledger.markets[BTC].trades[0]
    assert trades[0][9] == _money(first.pnl_quote) and trades[0][11] == "ex-b1"
    assert dom.tables["section-0-parity-table"] == [["same entries", "yes"], ["Δ", "0.5000"]]
    assert report.figures[0].trades == 3
    headers = dom.texts["headline"].split("Start equity")[0]
    assert headers == "Figureaccountbinance BTC-USDTbinance ETH-USDTbuy-and-hold BTC-USDT"


def test_browser_decodes_both_plots(run: tuple[LedgerBook, RunReport], browser: dict[str, object]) -> None:
    html = browser["html"]
    assert isinstance(html, str)
    pngs = [base64.b64decode(m) for m in re.findall(r'src="data:image/png;base64,([^"]+)"', html)]
    sizes = [_png_size(p) for p in pngs]
    probed = browser["probed"]
    assert isinstance(probed, _Dom)
    decoded = (probed.body_attrs.get("data-images") or "").split()
    assert decoded == [
        f"{name}:{w}x{h}:true" for name, (w, h) in zip(("equity-plot", "drawdown-plot"), sizes, strict=True)
    ]
    assert all(w >= 1000 and h >= 250 for w, h in sizes)


def test_screenshot_shows_the_plots(browser: dict[str, object]) -> None:
    shot = browser["shot"]
    assert isinstance(shot, Path)
    image = np.asarray(Image.open(shot).convert("RGB"), dtype=np.int16)
    assert image.shape[:2] == (2400, 1280)
    colours = len(np.unique(image.reshape(-1, 3), axis=0))
    tab_blue = np.array([31, 119, 180])  # the strategy's equity line
    blue = int(np.sum(np.all(np.abs(image - tab_blue) < 30, axis=2)))
    assert colours > 200 and blue > 500, (colours, blue)


def test_drawdown_plot_agrees_with_the_headline(run: tuple[LedgerBook, RunReport]) -> None:
    report = run[1]
    by_scope = {f.scope: f for f in report.figures}
    for i, (name, curve) in enumerate(report.equity.curves.items()):
        figure = report.figures[0] if i == 0 else by_scope[name]
        plotted = -float(drawdown_pct_series(curve, report.equity.start_of(name)).min())
        assert plotted == pytest.approx(figure.max_drawdown_pct, abs=1e-9), name
    assert report.equity.start_of("buy-and-hold BTC-USDT") == 2000.0  # the fee paid in bar 0 is a drawdown


def test_trade_list_is_cut_at_500_rows_with_a_note(shared_data_dir: Path) -> None:
    marks = _marks(shared_data_dir, "2023-01-01", "2023-03-31")
    fills = [f for i in range(260) for f in _round_trip(marks, BTC, 2 * i, 2 * i + 1, 100.0, f"b{i}")]
    fills += [f for i in range(260) for f in _round_trip(marks, ETH, 2 * i + 1, 2 * i + 2, 100.0, f"e{i}")]
    ledger = build_ledger(fills, {"binance": {"USDT": 1000.0}}, marks)
    dom = _Dom(render_html(report_from_ledger(ledger, kind="replay", title="many", fee="0.1 %")))
    assert dom.texts["title"] == "Replay report — many"
    assert len(dom.tables["trades"]) == MAX_TRADE_ROWS == 500
    assert dom.texts["trades-cut"].startswith("Showing the first 500 of 520 trades")
    assert dom.texts["trades-section"].startswith("Trades (520)")
    closes = [t.close_timestamp for b in ledger.markets.values() for t in b.trades]
    assert dom.tables["trades"][-1][4] == _iso(sorted(closes)[499])
    assert dom.texts["risk-none"] == "none"


def _iso(ts: float) -> str:
    return np.datetime_as_string(np.datetime64(int(ts), "s")) + "Z"


def test_ruined_account_is_reported_as_ruin(shared_data_dir: Path) -> None:
    marks = _marks(shared_data_dir, "2023-03-01", "2023-03-10")
    overdrawn = _fill(marks, BTC, 0, 1, 2000.0, "too-big")  # 100 USDT buys 2000 USDT of BTC: BTC then falls
    ledger = build_ledger([overdrawn], {"binance": {"USDT": 100.0}}, marks)
    assert float(ledger.equity[-1]) < 0
    report = report_from_ledger(ledger, kind="paper", title="ruin", fee="0.1 %")
    assert report.ruined[:1] == ("account",)
    assert float(report.equity.strategy[1].min()) == 0.0  # clipped at zero, as the figures define ruin
    dom = _Dom(render_html(report))
    assert dom.texts["title"] == "Paper report — ruin"
    assert dom.texts["ruined"].startswith("Ruined: equity reached zero in account")
    rows = {r[0]: r[1:] for r in dom.tables["headline"]}
    assert rows["Return"][0] == "-100.00 %" and rows["Sharpe (daily, ann.)"][0] == "n/a (ruined)"
    assert "account (RUINED)" in dom.texts["headline"]


def test_png_report_and_determinism(run: tuple[LedgerBook, RunReport], tmp_path: Path) -> None:
    report = run[1]
    png = write_report(tmp_path / "r.PNG", report).read_bytes()
    assert _png_size(png) == (1100, 750)
    assert np.asarray(Image.open(io.BytesIO(png)).convert("L")).std() > 10  # not a blank image
    assert write_report(tmp_path / "again.png", report).read_bytes() == png
    html = write_report(tmp_path / "a.htm", report).read_bytes()
    assert write_report(tmp_path / "b.html", report).read_bytes() == html
    with pytest.raises(ConfigError, match=r"unknown format '\.pdf'"):
        write_report(tmp_path / "r.pdf", report)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.htm", "again.png", "b.html", "r.PNG"]


def test_bad_inputs_fail_closed(run: tuple[LedgerBook, RunReport]) -> None:
    report = run[1]
    ts = report.equity.timestamps
    with pytest.raises(DataError, match="equity curve 'short'"):
        EquityCurves(ts, {"short": np.ones(ts.size - 1)})
    with pytest.raises(DataError, match="strictly increasing"):
        EquityCurves(ts[::-1], {"x": np.ones(ts.size)})
    with pytest.raises(DataError, match="report kind 'live'"):
        dataclasses.replace(report, kind="live")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="not a finite, ordered range"):
        dataclasses.replace(report, period_end=report.period_start - 1)
    with pytest.raises(DataError, match="do not have 2 cells"):
        Section("t", headers=("a", "b"), rows=(("only one",),))
