"""Every SiteWatch algorithm has a group, an icon, help and tooltips."""

from __future__ import annotations


def test_every_algorithm_has_group_icon_and_help(sitewatch_provider):
    algorithms = sitewatch_provider.algorithms()
    assert algorithms
    for algorithm in algorithms:
        assert algorithm.group() and algorithm.groupId()
        assert not algorithm.icon().isNull()
        assert len(algorithm.shortHelpString()) > 100
        for parameter in algorithm.parameterDefinitions():
            assert f"<b>{parameter.description()}</b>" in algorithm.shortHelpString(), (
                f"{algorithm.id()}: help does not explain {parameter.name()}"
            )
            assert parameter.help(), f"{algorithm.id()}: {parameter.name()} has no tooltip"
