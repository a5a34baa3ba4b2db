"""The playground (``make playground``): one burst after expiry, every knob a widget.

A reader with nothing but a browser moves a slider and sees what the article's
warning means: the tab fires a burst of requests one second after its access
token died, and the sequence diagram, the refresh count, each request's latency
and a one-line verdict follow at once. ``notebooks/playground.ipynb`` shows
``app()`` and Voilà serves it with its code hidden.

The model part, ``Knobs`` -> ``scenario`` -> ``play`` -> ``Play`` (its verdict,
table and figure), needs no widgets and is what the tests check; ``app()``
only wires widgets to it. One play is a single run of a few dozen events:
about 0.2 s, most of it drawing the diagram (``python -m sim bench`` times it).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pandas as pd
from matplotlib.figure import Figure

from .config import Workload
from .experiment import Result, run
from .figures import SequenceWatch, fig_sequence_diagram
from .presets import CLIENTS, STRATEGY_NAMES
from .scenario import Scenario

MINUTE, HOUR, DAY = 60, 3600, 86400
# the client menu: the three strategies, then each library under its own name
CLIENT_MENU = [*((f"{name} (the article's)" if name == "naive" else name, name) for name in STRATEGY_NAMES),
               *((f"library: {name}", name) for name, named in CLIENTS.items() if named.kind == "library")]  # fmt: skip
# the sliders' stops; each starts at the article's value (15 min, 7 days, no timer)
ACCESS_TTLS = {"2 min": 2 * MINUTE, "5 min": 5 * MINUTE, "15 min": 15 * MINUTE, "1 h": HOUR}
REFRESH_TTLS = {"5 min": 5 * MINUTE, "1 h": HOUR, "1 day": DAY, "7 days": 7 * DAY}
MARGINS = {"off": 0, "10 s": 10, "30 s": 30, "60 s": 60}
BURST_AFTER_EXPIRY_S = 1.0  # the burst fires one second after the first access token died
# how a request ended (``sim.records.REASONS``), as the table of requests says it
ENDINGS = {"ok": "200: data", "unauthorized": "401 twice: gave up", "logged_out": "logged out", "failed": "failed"}


@dataclass(frozen=True)
class Knobs:
    """What the playground's widgets set; the defaults are the article's world with a burst of 5."""

    client: str = "naive"  # a named client: a strategy, or a library as it behaves (``sim.presets.CLIENTS``)
    burst: int = 5  # requests the page fires at once, in each tab
    tabs: int = 1
    rotation: bool = False  # rotate refresh tokens, and take a used one presented again as theft
    margin_s: int = 0  # proactive: a timer refreshes this long before expiry (0: only on a 401)
    outage_s: int = 0  # the auth server answers 503 for this long from the burst
    access_ttl_s: int = 15 * MINUTE
    refresh_ttl_s: int = 7 * DAY
    rtt_ms: int = 80
    api_ms: int = 50
    auth_ms: int = 30


def scenario(knobs: Knobs) -> Scenario:
    """The one-user burst scenario the knobs describe (calls recorded, for the diagram)."""
    burst_s = knobs.access_ttl_s + BURST_AFTER_EXPIRY_S
    fields: dict[str, object] = {
        "client": knobs.client,
        "concurrency": knobs.burst,
        "tabs": knobs.tabs,
        "access_ttl_s": knobs.access_ttl_s,
        "refresh_ttl_s": knobs.refresh_ttl_s,
        "rtt_s": knobs.rtt_ms / 1000,
        "api_service_s": knobs.api_ms / 1000,
        "auth_service_s": knobs.auth_ms / 1000,
        "rotation": knobs.rotation,
        "reuse_detection": knobs.rotation,
    }
    if knobs.margin_s:
        fields.update(proactive="timer", margin_s=knobs.margin_s)
    if knobs.outage_s:
        fields["auth_outages"] = f"{burst_s:g}:{burst_s + knobs.outage_s:g}"
    return Scenario(workload=Workload(kind="burst"), record_calls=True, name="playground").with_(fields)


@dataclass(frozen=True)
class Play:
    """One run of the playground: its numbers, each request, and the verdict."""

    knobs: Knobs
    result: Result
    events: pd.DataFrame  # the burst's calls, as ``sim.figures.sequence_diagram_data`` rows (with ``tab``)

    @property
    def refresh_calls(self) -> int:
        return int(self.result.summary["refresh_calls"])

    def requests(self) -> pd.DataFrame:
        """One row per request of the burst: its tab, latency (ms), 401s met and how it ended."""
        r = self.result.requests
        requests = pd.DataFrame(
            {
                "request": range(1, len(r) + 1),
                "tab": r["session"].to_numpy() - r["session"].min() + 1,
                "latency_ms": (r["latency_s"] * 1000).round(0).astype(int).to_numpy(),
                "401s": r["unauthorized"].to_numpy(),
                "ended": r["reason"].astype(str).map(ENDINGS).to_numpy(),
            }
        )
        return requests.set_index("request")

    def verdict(self) -> str:
        """One line: what this strategy did to this burst, worst news first."""
        s, k = self.result.summary, self.knobs
        calls = self.result.calls
        refreshes = calls[calls["endpoint"] == "refresh"]
        n = int(s["requests"])
        if s["logouts"]:
            outcome = set(refreshes["outcome"])
            if "reused" in outcome:
                why = "a refresh token was presented twice and rotation's reuse detection took it as theft"
            elif "expired" in outcome:
                why = "the refresh token had expired too (it lives less than the access token + 1 s)"
            elif "outage" in outcome:
                why = "the refresh failed in the outage and the client sent the user to /login (the article's catch)"
            else:
                why = "a refresh failed"
            return f"Logged out: {why}; {int(s['requests_ok'])} of {n} requests got their data."
        if s["requests_failed"]:
            return (
                f"{int(s['requests_failed'])} of {n} requests failed: the app got an error, the user stays logged in."
            )
        slowest = f"the slowest request took {1000 * s['latency_max_s']:.0f} ms"
        if self.refresh_calls > k.tabs:
            return (
                f"Refresh storm: {self.refresh_calls} refresh calls for one expiry where {k.tabs} would do "
                f"(one per tab); every request got its data, {slowest}."
            )
        if s["unauthorized_responses"] == 0:
            early = f"the timer refreshed {k.margin_s} s before expiry" if k.margin_s else "the client refreshed first"
            return f"No 401 at all: {early}, so the burst met a fresh token; {slowest}."
        per_tab = "one refresh call" if k.tabs == 1 else "one refresh call per tab"
        return f"Fine: {per_tab}, and every request got its data; {slowest}."

    def figure(self) -> Figure | None:
        """The burst's sequence diagram; ``None`` if the burst sent nothing (logged out before it)."""
        return fig_sequence_diagram(self.events) if (self.events["kind"] == "api").any() else None


def play(knobs: Knobs = Knobs()) -> Play:
    """Run the burst the knobs describe, watched for its sequence diagram (``SequenceWatch``)."""
    watch = SequenceWatch()
    result = run(scenario(knobs), observers=[watch])
    burst_s = knobs.access_ttl_s + BURST_AFTER_EXPIRY_S
    return Play(knobs, result, watch.rows(knobs.client, burst_s, tabs=True))


def png(figure: Figure, dpi: int = 100) -> bytes:
    """A figure as PNG bytes, for an image widget."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def picture(shown: Play) -> bytes:
    """The play's diagram as PNG bytes; none if the burst sent nothing."""
    figure = shown.figure()
    return png(figure) if figure is not None else b""


def redraw(knobs: Knobs = Knobs()) -> bytes:
    """What one move of a control costs the server: the run, its verdict and table, and the picture."""
    shown = play(knobs)
    shown.verdict(), shown.requests()
    return picture(shown)


def app():
    """The playground's widgets: controls on the left (above, on a phone), what happened on the right."""
    import ipywidgets as widgets  # noqa: PLC0415  (only the playground needs widgets; the simulation does not)

    defaults = Knobs()
    wide = {"style": {"description_width": "9em"}, "layout": widgets.Layout(width="100%", max_width="26em")}
    controls = {
        "client": widgets.Dropdown(options=CLIENT_MENU, value=defaults.client, description="client", **wide),
        "burst": widgets.IntSlider(defaults.burst, 1, 8, description="burst (requests)", **wide),
        "tabs": widgets.IntSlider(defaults.tabs, 1, 2, description="tabs", **wide),
        "margin_s": widgets.SelectionSlider(options=MARGINS.items(), value=defaults.margin_s,
                                            description="proactive timer", **wide),
        "access_ttl_s": widgets.SelectionSlider(options=ACCESS_TTLS.items(), value=defaults.access_ttl_s,
                                                description="access token", **wide),
        "refresh_ttl_s": widgets.SelectionSlider(options=REFRESH_TTLS.items(), value=defaults.refresh_ttl_s,
                                                 description="refresh token", **wide),
        "rotation": widgets.Checkbox(defaults.rotation, description="rotation + reuse detection", indent=False),
        "outage_s": widgets.IntSlider(defaults.outage_s, 0, 10, description="auth outage (s)", **wide),
        "rtt_ms": widgets.IntSlider(defaults.rtt_ms, 10, 400, step=10, description="round trip (ms)", **wide),
        "api_ms": widgets.IntSlider(defaults.api_ms, 10, 300, step=10, description="API work (ms)", **wide),
        "auth_ms": widgets.IntSlider(defaults.auth_ms, 10, 300, step=10, description="auth work (ms)", **wide),
    }  # fmt: skip
    for control in controls.values():
        if hasattr(control, "continuous_update"):
            control.continuous_update = False  # one run when the slider is let go, not one per pixel

    count = widgets.HTML(layout=widgets.Layout(margin="0 0 0.3em 0"))
    verdict = widgets.HTML()
    diagram = widgets.Image(format="png", layout=widgets.Layout(width="100%", max_width="700px", height="auto"))
    table = widgets.HTML()

    def update(_=None) -> None:
        shown = play(Knobs(**{name: control.value for name, control in controls.items()}))
        count.value = (
            f'<span class="refresh-count" style="font-size: 1.6em; font-weight: bold">{shown.refresh_calls}</span> '
            f"refresh call{'s' if shown.refresh_calls != 1 else ''} to the auth server"
        )
        verdict.value = f'<p class="verdict" style="font-size: 1.1em">{shown.verdict()}</p>'
        diagram.value = picture(shown)
        diagram.layout.display = None if diagram.value else "none"
        table.value = "<b>Each request</b>" + shown.requests().to_html(classes="requests", border=0)

    for control in controls.values():
        control.observe(update, names="value")
    update()

    def group(title: str, names: tuple[str, ...]):
        return widgets.VBox([widgets.HTML(f"<b>{title}</b>"), *(controls[name] for name in names)])

    client = group("Client", ("client", "burst", "tabs", "margin_s"))
    servers = group(
        "Tokens and servers", ("access_ttl_s", "refresh_ttl_s", "rotation", "outage_s", "rtt_ms", "api_ms", "auth_ms")
    )
    panel = widgets.VBox([client, servers], layout=widgets.Layout(flex="0 1 26em", min_width="0", padding="0 1em 0 0"))
    seen = widgets.VBox([count, verdict, diagram, table], layout=widgets.Layout(flex="1 1 360px", min_width="0"))
    return widgets.Box([panel, seen], layout=widgets.Layout(display="flex", flex_flow="row wrap", width="100%"))
