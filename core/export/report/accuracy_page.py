"""The report's accuracy page: how far the first review agrees with the blind validation
(confusion matrix, agreement, κ, weighted κ, precision and recall) and the site totals
corrected by the confusion matrix with 95 % confidence intervals; without validation answers
(or too few to estimate), the "preliminary, not field validated" caveat says why."""

from __future__ import annotations

from pathlib import Path

from ... import values
from ...validation.accuracy import CLASSES, AccuracyReport
from ...validation.agreement import Agreement
from ...validation.estimate import ClassEstimate
from ...validation.pre_score import PreScoreAgreement
from .page_items import MARGIN, PAGE_WIDTH, PageWriter

PRELIMINARY = "PRELIMINARY — NOT FIELD VALIDATED"
NOT_FIELD = (
    "The validation is a blind second review of the same imagery by another analyst, not a field "
    "check: it measures consistency between analysts, not ground truth."
)
METHOD = (
    "Rows: the first review's status (the strata); columns: the validation's. Precision = share of a "
    "first-review class the validation confirmed (user's accuracy); recall = share of a validation class "
    "the first review found (producer's accuracy). Weighted κ uses linear weights over the damage scale "
    "(intact to destroyed). Corrected totals: stratified estimator of Olofsson et al. (2014), Remote "
    "Sensing of Environment 148: 42–57, with the finite population correction; 95 % intervals are "
    "estimate ± 1.96 standard errors, clipped to the site. Compound totals apply the site's error rates to "
    "each compound's counts (synthetic estimate): their intervals carry the site's sampling error only."
)


def short(code: str) -> str:
    return values.label_of(values.STATUSES, code).split(" (")[0]


def percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f} %"


def number(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def agreement_line(report: AccuracyReport) -> str:
    agreement = report.agreement
    return (
        f"Structures compared: {agreement.pairs} · overall agreement {percent(agreement.agreement)} · "
        f"Cohen's κ {number(agreement.kappa)} · linearly weighted κ (damage scale) "
        f"{number(agreement.weighted_kappa)} · validation answers 'unknown' (left out): "
        f"{report.unknown_answers} · answers on structures the first review did not assess: "
        f"{report.unmatched_answers}"
    )


def matrix_rows(report: AccuracyReport) -> tuple[list[str], list[list[str]]]:
    """The confusion matrix with totals, precision per row and recall as the last row."""
    return agreement_rows(report.agreement, "First \\ validation")


def agreement_rows(agreement: Agreement, corner: str) -> tuple[list[str], list[list[str]]]:
    """``agreement``'s confusion matrix with totals, precision per row and recall as the last
    row; ``corner`` names the rows and columns ("First \\ validation")."""
    matrix = agreement.matrix
    headers = [corner, *(short(c) for c in CLASSES), "Total", "Precision"]
    rows = [
        [
            short(code),
            *(str(int(v)) for v in matrix[n]),
            str(int(matrix[n].sum())),
            percent(agreement.precision[code]),
        ]
        for n, code in enumerate(CLASSES)
    ]
    rows.append(["Total", *(str(int(v)) for v in matrix.sum(axis=0)), str(int(matrix.sum())), ""])
    rows.append(["Recall", *(percent(agreement.recall[c]) for c in CLASSES), "", ""])
    return headers, rows


PRE_SCORE_CORNER = "Pre-score \\ analyst"


def pre_score_pair_line(pre: PreScoreAgreement) -> str:
    """Which change score the analyst is compared with: the pair ending on the date."""
    return (
        f"The change score's suggested statuses (the pre-score) of the image pair {pre.before_image} → "
        f"{pre.after_image} (after image of {pre.on}) against the analyst's first review on {pre.on}."
    )


def pre_score_line(pre: PreScoreAgreement) -> str:
    agreement = pre.agreement
    return (
        f"Analyst vs pre-score: structures compared {agreement.pairs} · overall agreement "
        f"{percent(agreement.agreement)} · Cohen's κ {number(agreement.kappa)} · linearly weighted κ "
        f"{number(agreement.weighted_kappa)} · suggestions 'unknown' (left out): {pre.unknown_suggestions} · "
        f"reviewed but not scored: {pre.not_scored}"
    )


def estimate_rows(report: AccuracyReport) -> list[list[str]]:
    if report.site is None:
        return []
    rows = []
    for code in CLASSES:
        estimate = report.site.of(code)
        interval = "–" if estimate.low is None or estimate.high is None else f"{estimate.low:.1f}–{estimate.high:.1f}"
        rows.append(
            [
                short(code),
                str(estimate.mapped),
                f"{estimate.estimate:.1f}",
                interval,
                percent(estimate.users_accuracy),
                percent(estimate.producers_accuracy),
            ]
        )
    return rows


def corrected(estimate: ClassEstimate) -> str:
    """E.g. "13 (10–17)": the corrected total and its 95 % interval in whole structures."""
    return f"{estimate.estimate:.0f} ({estimate.interval_text() or '–'})"


def compound_rows(report: AccuracyReport) -> list[list[str]]:
    """One row per compound: its structures, then each class's corrected total (95 % CI)."""
    return [
        [compound, str(estimate.total), *(corrected(estimate.of(code)) for code in CLASSES)]
        for compound, estimate in sorted(report.compounds.items())
    ]


def write_accuracy_page(
    site: str, report: AccuracyReport, sample_size: int, path: Path, pre_score: PreScoreAgreement | None = None
) -> Path:
    """Write the accuracy page of ``site`` at ``report.on`` as a searchable A4 PDF;
    ``sample_size`` is how many structures were drawn for validation at that date; ``pre_score``
    (when change scores are stored for the pair ending on that date) adds the analyst's agreement
    with the change score's suggestions."""
    writer = PageWriter(
        f"Accuracy and agreement — {site}",
        f"First review on {report.on} against a blind second review of {sample_size} sampled structures",
        f"SiteWatch · {site} · accuracy on {report.on} · {NOT_FIELD}",
    )
    width = PAGE_WIDTH - 2 * MARGIN
    validated = report.agreement.pairs > 0 and report.site is not None
    if not validated:
        reason = report.not_estimated or "no validation answer has been recorded for this date"
        writer.label(
            f"{PRELIMINARY}: the totals are the first review's counts, not corrected by a validation ({reason}).",
            9,
            "#ffffff",
            True,
            fill="#b03a2e",
        )
    writer.label(NOT_FIELD, 7.5, "#505050")
    writer.heading("Agreement between the first review and the validation")
    writer.label(agreement_line(report), 8)
    headers, rows = matrix_rows(report)
    first = 27.0
    writer.table(headers, rows, [first] + [(width - first - 20) / (len(headers) - 1)] * (len(headers) - 1))
    writer.heading("Corrected totals for the site (95 % confidence intervals)")
    if validated and report.site is not None:
        writer.table(
            ["Status", "First review", "Corrected", "95 % CI", "User's acc.", "Producer's acc."],
            estimate_rows(report),
            [first] + [(width - first - 20) / 5] * 5,
        )
        overall = report.site
        interval = (
            ""
            if overall.overall_low is None or overall.overall_high is None
            else f" (95 % CI {percent(overall.overall_low)}–{percent(overall.overall_high)})"
        )
        writer.label(f"Overall accuracy {percent(overall.overall_accuracy)}{interval}.", 8)
        writer.label("; ".join(report.sentences()) + ".", 9, bold=True)
        if report.compounds:
            writer.heading("Corrected totals per compound (95 % confidence intervals)")
            writer.table(
                ["Compound", "Structures", *(short(c) for c in CLASSES)],
                compound_rows(report),
                [first, 16.0] + [(width - first - 36.0) / len(CLASSES)] * len(CLASSES),
            )
    else:
        writer.label(
            "Not available: " + (report.not_estimated or "record the blind second review of the sample first."), 8
        )
    if pre_score is not None:
        writer.room(60)
        writer.heading("Agreement between the analyst and the pre-score (change score)")
        writer.label(pre_score_pair_line(pre_score), 8)
        writer.label(pre_score_line(pre_score), 8)
        headers, rows = agreement_rows(pre_score.agreement, PRE_SCORE_CORNER)
        writer.table(headers, rows, [first] + [(width - first - 20) / (len(headers) - 1)] * (len(headers) - 1))
    writer.room(32)  # the heading with its text, not the heading alone at the foot of a page
    writer.heading("Method")
    writer.label(METHOD, 7, "#505050")
    return writer.write(path)
