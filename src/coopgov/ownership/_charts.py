"""Accessible charts of the comparison (matplotlib, Agg backend: no display needed).

Accessibility: horizontal bars with labelled axes and a title, 95% Wilson intervals as error
bars, the Okabe–Ito colour-blind-safe palette, the value printed beside each bar (so colour is
never the only cue), and an alt text returned for the page that embeds the image.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from coopgov.ownership._errors import OwnershipInputError
from coopgov.ownership.compare import FlagRow, ShareRow

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


def share_chart(
    rows: Sequence[ShareRow | FlagRow],
    path: str | Path,
    *,
    measure: str = "good",
    title: str | None = None,
) -> str:
    """Draw one bar per row (``measure``: ``"good"`` or ``"inadequate"`` for share rows; flag rows
    plot their flag) to ``path`` (.png or .svg) and return the alt text."""
    p = Path(path)
    if p.suffix.casefold() not in (".png", ".svg"):
        raise OwnershipInputError("chart must be a .png or .svg file", path=p)
    if not rows:
        raise OwnershipInputError("nothing to chart: no rated units in the selection", path=p)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels: list[str] = []
    est: list[float] = []
    lo: list[float] = []
    hi: list[float] = []
    ns: list[int] = []
    for r in rows:
        if isinstance(r, FlagRow):
            iv, n, what = r.share, r.known, r.flag.replace("_", " ")
        elif measure == "inadequate":
            iv, n, what = r.inadequate_share, r.rated, f"rated Inadequate ({r.key_question})"
        elif measure == "good":
            iv, n, what = r.good_share, r.rated, f"rated Good or Outstanding ({r.key_question})"
        else:
            raise ValueError(f"unknown measure {measure!r}: use good or inadequate")
        labels.append(r.label())
        est.append(100 * iv.estimate)
        lo.append(max(0.0, 100 * (iv.estimate - iv.lower)))
        hi.append(max(0.0, 100 * (iv.upper - iv.estimate)))
        ns.append(n)
    heading = title or f"Share of locations {what}, by group, with 95% confidence intervals"
    height = max(2.5, 0.45 * len(rows) + 1.5)
    fig, ax = plt.subplots(figsize=(8, height))
    ypos = list(range(len(rows)))[::-1]
    colours = [OKABE_ITO[i % len(OKABE_ITO)] for i in range(len(rows))]
    ax.barh(ypos, est, xerr=[lo, hi], color=colours, capsize=4, ecolor="#333333")
    ax.set_yticks(ypos, [f"{lab} (n={n})" for lab, n in zip(labels, ns, strict=True)])
    ax.set_xlabel(f"Percentage of locations {what} (%)")
    ax.set_ylabel("Group")
    ax.set_title(heading, fontsize=10)
    xmax = max(e + h for e, h in zip(est, hi, strict=True))
    ax.set_xlim(0, min(100.0, xmax * 1.25 + 1))
    for y, e, h in zip(ypos, est, hi, strict=True):
        ax.text(e + h + 0.5, y, f"{e:.1f}%", va="center", fontsize=8)
    fig.tight_layout()
    parts = [
        f"{lab}: {e:.1f}% (95% CI {e - l_:.1f}% to {e + h:.1f}%, n={n})"
        for lab, e, l_, h, n in zip(labels, est, lo, hi, ns, strict=True)
    ]
    alt = f"Bar chart. {heading}. " + "; ".join(parts) + "."
    fmt = p.suffix[1:].casefold()
    # the alt text travels with the file too: <title>/<desc> in SVG, tEXt chunks in PNG
    metadata = {"Title": heading, "Description": alt}
    try:
        fig.savefig(p, format=fmt, metadata=metadata)
    except OSError as exc:
        raise OwnershipInputError(f"cannot write chart: {exc.strerror}", path=p) from None
    finally:
        plt.close(fig)
    if fmt == "svg":  # screen readers read <title> and <desc>; matplotlib writes only <title>
        from xml.sax.saxutils import escape

        text = p.read_text(encoding="utf-8")
        text = text.replace("</title>", f"</title>\n <desc>{escape(alt)}</desc>", 1)
        text = text.replace("<svg ", '<svg role="img" ', 1)
        p.write_text(text, encoding="utf-8")
    return alt
