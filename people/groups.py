"""Parsing the 人员类别 column: group names as clerks write them, separated by 、 , ， ; or ；."""

import re

from .models import TargetGroup

ALIASES: dict[str, str] = {
    "脱贫享受政策人口": TargetGroup.POVERTY,
    "脱贫人口": TargetGroup.POVERTY,
    "防止返贫监测帮扶对象": TargetGroup.POVERTY,
    "监测对象": TargetGroup.POVERTY,
    "低收入人口": TargetGroup.LOW_INCOME,
    "残疾人": TargetGroup.RURAL_DISABLED,
    "大龄人员": TargetGroup.RURAL_OLDER,
    "零就业家庭人员": TargetGroup.ZERO_EMPLOYMENT,
    "零就业家庭": TargetGroup.ZERO_EMPLOYMENT,
    "大龄失业人员": TargetGroup.URBAN_OLDER,
    "单亲家长": TargetGroup.SINGLE_PARENT,
    "失业青年": TargetGroup.YOUTH_UNEMPLOYED,
}
SEPARATORS = re.compile(r"[、,，;；/]+")


def _names() -> dict[str, str]:
    names = dict(ALIASES)
    for group in TargetGroup:
        names[group.value] = group.value
        names[str(group.label)] = group.value
    return names


NAMES = _names()


def parse_groups(text: str) -> list[str]:
    """Group values in the order written, without repeats; ValueError names unknown ones."""
    groups: list[str] = []
    unknown: list[str] = []
    for part in SEPARATORS.split(text):
        name = part.strip()
        if not name:
            continue
        group = NAMES.get(name)
        if group is None:
            unknown.append(name)
        elif group not in groups:
            groups.append(group)
    if unknown:
        allowed = "、".join(g.label for g in TargetGroup)
        raise ValueError(f"无法识别的人员类别：{'、'.join(unknown)}（可填：{allowed}）")
    if not groups:
        raise ValueError("人员类别不能为空")
    return groups


LABELS = {
    group.value: str(group.label) for group in TargetGroup
}  # TargetGroup(g) is slow (docs/performance.md P3)


def groups_text(groups: list[str]) -> str:
    return "、".join(LABELS[g] for g in groups)
