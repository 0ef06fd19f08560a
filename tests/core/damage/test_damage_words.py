"""One class of statuses behind each word: the summary sentence and the table say the same."""

from __future__ import annotations

import re

from sitewatch.core.damage.table import compound_damage, damaged_count, summary_sentence
from sitewatch.tests.helpers.damage_site import TWO_COMPOUNDS, box, build

BEFORE, AFTER = "2019-09-01", "2020-01-08"


def _numbers(sentence: str) -> dict[str, int]:
    """The figures an analyst reads in the sentence, by the words after them."""
    found = {
        "destroyed": re.search(r"^(\d+) of (\d+) structures", sentence),
        "severely damaged": re.search(r"(\d+) severely damaged", sentence),
        "damaged in all": re.search(r"(\d+) damaged in all \((\d+) %", sentence),
        "newly damaged": re.search(r"(\d+) newly damaged", sentence),
    }
    assert all(found.values()), sentence
    return {word: int(match[1]) for word, match in found.items() if match}


def test_newly_damaged_never_exceeds_damaged_and_the_sentence_reads_the_table(assessment):
    # The case of the issue: "possible" damage counted as newly damaged but not as damaged.
    transitions = [
        ("intact", "possible"),  # possible damage: neither damaged nor newly damaged
        ("intact", "possible"),
        ("possible", "possible"),
        ("intact", "moderate"),  # newly damaged
        ("possible", "destroyed"),  # newly damaged
        (None, "severe"),  # not observed before: newly damaged
        ("moderate", "destroyed"),  # damaged before and after: damaged, not newly
        ("severe", "severe"),
        ("intact", "intact"),
        ("unknown", "moderate"),  # perhaps damaged already: damaged, not newly
    ]
    structures = [(f"S-{n}", "building", box(5 + 10 * n, 5, 8)) for n in range(len(transitions))]
    observations = []
    for n, (before, after) in enumerate(transitions):
        if before:
            observations.append((f"S-{n}", BEFORE, before))
        observations.append((f"S-{n}", AFTER, after))
    build(assessment, TWO_COMPOUNDS, structures, observations)
    layers = [assessment.layer(name) for name in ("structures", "observations", "compounds")]
    table = compound_damage(*layers, AFTER, BEFORE)
    site = table.site
    sentence = summary_sentence(table)
    said = _numbers(sentence)

    assert damaged_count(site) == 6 and site.n_newdmg == 3, sentence
    assert said["newly damaged"] == site.n_newdmg <= said["damaged in all"] == damaged_count(site)
    assert said["destroyed"] == site.n_destroy and said["severely damaged"] == site.n_severe
    # "% damaged" of the table counts the same structures as "damaged in all" of the sentence.
    assert site.pct_damag is not None
    assert round(site.pct_damag) == round(100 * said["damaged in all"] / site.n_assessed)
    assert f"({site.pct_damag:.0f} %)" in sentence
    for row in table.rows:
        if row.n_newdmg is not None:
            assert row.n_newdmg <= damaged_count(row), row
