"""What may be published: small-cell suppression over linked tables, and the audit that proves it holds.

Every published number is a sum of base cells (for a report: agency x period x reason category of one system
and measure). A disclosure `Policy` protects sums of 1 to `threshold` (primary suppression, published as a
range such as "1-10"); complementary suppression then withholds other sums until no protected sum can be worked
out from what is published. The proof is the audit: for each suppressed sum, a linear program over everything
published (released sums as equalities, protected sums within their published range, every cell at least 0)
finds the smallest and largest value it could take. A protected sum passes when that interval is at least
`width` wide; `suppress` keeps withholding until every protected sum passes, and says so if it cannot.

Anchors: the CMS cell-size rule (no cell of 1-10, none derivable); FCSM Statistical Policy Working Paper 22
(primary suppression by a threshold rule, then complementary suppression, audited); tau-Argus and sdcTable.

>>> values = [2, 1, 360, 135]                                   # HSI, Border Patrol, two local agencies
>>> sums = {"HSI": [0], "USBP": [1], "City PD": [2], "County SO": [3], "federal": [0, 1], "all": [0, 1, 2, 3]}
>>> result = suppress(values, sums, POLICIES["standard"])
>>> sorted(result.suppressed), result.passed             # 498 - 360 - 135 would give federal away
(['County SO', 'HSI', 'USBP', 'federal'], True)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Hashable, Mapping, Sequence

import numpy as np

from .disclose_local import LocalAudit, sums_lp


@dataclass(frozen=True)
class Policy:
    """Which sums are protected, and how wide the audit must find each protected one."""

    name: str
    threshold: int = 10   # sums of 1 to threshold are protected (0 is not: no search, nobody to point at)
    width: float = 5.0    # the audit must leave each protected sum an interval at least this wide

    @property
    def protects(self) -> bool:
        return self.threshold > 0

    def range_words(self) -> str:
        return f"1-{self.threshold}"


POLICIES = {"none": Policy("none", 0, 0.0), "standard": Policy("standard")}


@dataclass
class Suppression:
    """What `suppress` decided: the sums withheld (primary ones published as a range), and the audit."""

    primary: set[Hashable]
    suppressed: set[Hashable]
    audit: list[tuple[Hashable, float, float, float, bool]] = field(default_factory=list)  # key, value, low, high, ok
    unranged: set[Hashable] = field(default_factory=set)  # primary sums published as "withheld", not as "1-10"

    @property
    def passed(self) -> bool:
        return all(ok for *_, ok in self.audit)

    def audit_frame(self):
        """The audit as a table (cell, value, feasible_min, feasible_max, protected): kept beside the report,
        never published."""
        import pandas as pd

        return pd.DataFrame(self.audit, columns=["cell", "value", "feasible_min", "feasible_max", "protected"])


def suppress(values: Sequence[float], sums: Mapping[Hashable, Sequence[int]], policy: Policy, *,
             protect: set[Hashable] | None = None, max_rounds: int = 50) -> Suppression:
    """Primary and complementary suppression of the published `sums` (key -> indices into `values`).

    Sums of the same cells (an agency's total, and its department's when it is the only agency in it) are one
    number published twice: they are decided together, and the audit lists each. Sums that share no cell, even
    through others (two quarters of a report), are separate problems and are solved one by one.
    """
    values, sums = _merged(values, sums)
    twins: dict[frozenset, list[Hashable]] = {}
    for key in sorted(sums, key=str):
        twins.setdefault(frozenset(sums[key]), []).append(key)
    first = {keys[0]: keys for keys in twins.values()}
    eligible = set(sums) if protect is None else set(protect)
    primary, suppressed, unranged, rows = set(), set(), set(), []
    for part in _parts({key: sums[key] for key in first}):
        result = _suppress(values, part, policy, max_rounds=max_rounds,
                           protect={key for key in part if eligible & set(first[key])})
        primary |= result.primary
        suppressed |= result.suppressed
        unranged |= result.unranged
        rows += result.audit
    expand = lambda chosen: {twin for key in chosen for twin in first[key]}  # noqa: E731
    audit_rows = [(twin, *rest) for key, *rest in rows for twin in first[key]]
    return Suppression(expand(primary), expand(suppressed), sorted(audit_rows, key=lambda row: str(row[0])),
                       expand(unranged))


def _parts(sums: Mapping[Hashable, Sequence[int]]) -> list[dict]:
    """The published sums in groups that share no cell (connected through the cells they hold)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    keys = list(sums)
    cells = sorted({cell for members in sums.values() for cell in members})
    if not keys:
        return []
    column = {cell: number for number, cell in enumerate(cells)}
    rows = [row for row, key in enumerate(keys) for _ in sums[key]]
    columns = [len(keys) + column[cell] for key in keys for cell in sums[key]]
    size = len(keys) + len(cells)
    graph = coo_matrix((np.ones(len(rows)), (rows, columns)), shape=(size, size))
    _, labels = connected_components(graph, directed=False)
    parts: dict[int, dict] = {}
    for row, key in enumerate(keys):
        parts.setdefault(int(labels[row]), {})[key] = sums[key]
    return [parts[label] for label in sorted(parts)]


def _merged(values: Sequence[float], sums: Mapping[Hashable, Sequence[int]]):
    """Cells that lie in exactly the same published sums, merged into one (their sum): nothing published can tell
    them apart, so the audit's answers are the same, over far fewer unknowns."""
    values = np.asarray(values, dtype=float)
    holding: dict[int, list[Hashable]] = {}
    for number, key in enumerate(sums):
        for cell in sums[key]:
            holding.setdefault(int(cell), []).append(number)
    merged: dict[tuple, int] = {}
    new_values: list[float] = []
    cell_of: dict[int, int] = {}
    for cell in sorted(holding):
        signature = tuple(holding[cell])
        if signature not in merged:
            merged[signature] = len(new_values)
            new_values.append(0.0)
        cell_of[cell] = merged[signature]
        new_values[merged[signature]] += float(values[cell])
    new_sums = {key: sorted({cell_of[int(cell)] for cell in cells}) for key, cells in sums.items()}
    return np.asarray(new_values), new_sums


def _suppress(values: Sequence[float], sums: Mapping[Hashable, Sequence[int]], policy: Policy, *,
              protect: set[Hashable] | None = None, max_rounds: int = 50) -> Suppression:
    """Primary and complementary suppression of the published `sums` (key -> indices into `values`).

    `protect` limits primary suppression to some keys (all by default). Complementary sums are chosen by a simple
    rule: for a protected sum the audit finds too narrow, withhold the smallest released sum (at least `width`)
    that shares a released total with it, else that total; repeat until the audit passes.
    """
    values = np.asarray(values, dtype=float)
    totals = {key: float(values[list(cells)].sum()) for key, cells in sums.items()}
    eligible = set(sums) if protect is None else set(protect)
    primary = {key for key in eligible if policy.protects and 1 <= totals[key] <= policy.threshold}
    suppressed = set(primary)
    if not primary:
        return Suppression(primary, suppressed)
    nesting = _Nesting({key: frozenset(cells) for key, cells in sums.items()})
    memory: dict = {}  # audit answers of groups that did not change between rounds
    local = LocalAudit(sums, values)  # the quick proofs, kept across rounds and trials
    unranged: set[Hashable] = set()
    weak = sorted(primary, key=str)
    for _ in range(max_rounds):
        # withholding more (or dropping a range) only widens every interval: a sum that passed still passes, so
        # each round checks the weak ones again, not all
        result = audit(values, sums, primary, suppressed, policy, memory=memory, unranged=unranged, check_only=weak,
                       local=local)
        weak = [key for key, _, _, _, ok in result if not ok]
        if not weak:
            return _released_back(values, sums, primary, suppressed, policy, memory, unranged, local)
        chosen: set[Hashable] = set()
        for reuse in (True, False):  # a total that already hides another part first; else a new part anyway
            for key in sorted(weak, key=lambda k: (totals[k], str(k))):
                chosen |= _partners(key, nesting, totals, suppressed | chosen, policy, reuse=reuse)
            if chosen:
                break
        if not chosen:  # every total around them is withheld: the published ranges themselves pin them
            unranged |= {_unranged(key, nesting, primary - unranged) for key in weak}
        suppressed |= chosen
    return Suppression(primary, suppressed, audit(values, sums, primary, suppressed, policy, unranged=unranged,
                                                  local=local),
                       unranged)


def _unranged(key: Hashable, nesting: "_Nesting", ranged: set) -> Hashable:
    """The range to drop for a weak sum that no partner can hide (a month whose every number is small: seven
    parts of at least 1 each pin a total of at most 10): the widest "1-10" total around it, else its own."""
    holders = [holder for holder in nesting.holders(key) if holder in ranged]
    if holders:
        return max(holders, key=lambda h: (len(nesting.members[h]), str(h)))
    return key


RELEASE_BACK_UP_TO = 2000  # complementary sums tried for release (each trial costs an audit of its groups)
RELEASE_BATCH = 8


def _released_back(values, sums, primary: set, suppressed: set, policy: Policy, memory: dict,
                   unranged: set, local: LocalAudit) -> Suppression:
    """Complementary sums released again while the audit still passes: the greedy rule withholds more than needed
    (a grand total, say). Only totals (sums that hold another published sum) are tried, the widest first, up to
    RELEASE_BACK_UP_TO (a cell of the finest table stays withheld: trying each costs more than it gives), a few
    at a time and halved when together they fail (most can be released, so most trials settle several). A
    trial checks the primary sums that share a cell with those released first and stops at the first that fails;
    the full audit is run once at the end."""
    values = np.asarray(values, dtype=float)
    widest = lambda key: (-len(sums[key]), -float(values[list(sums[key])].sum()), str(key))  # noqa: E731
    nesting = _Nesting({key: frozenset(cells) for key, cells in sums.items()})
    complementary = [key for key in sorted(suppressed - primary, key=widest)  # totals: a reader's first numbers
                     if nesting.inside(key)][:RELEASE_BACK_UP_TO]
    cells_of = {key: set(sums[key]) for key in primary}
    state = {"suppressed": suppressed}

    def release(batch: list) -> None:
        members = {cell for key in batch for cell in sums[key]}
        order = sorted(primary, key=lambda p: (not (cells_of[p] & members), str(p)))
        trial = audit(values, sums, primary, state["suppressed"] - set(batch), policy, memory=memory,
                      check_only=order, stop_early=True, unranged=unranged, local=local)
        if all(ok for *_, ok in trial):
            state["suppressed"] = state["suppressed"] - set(batch)
        elif len(batch) > 1:
            release(batch[:len(batch) // 2])
            release(batch[len(batch) // 2:])

    for start in range(0, len(complementary), RELEASE_BATCH):
        release(complementary[start:start + RELEASE_BATCH])
    result = audit(values, sums, primary, state["suppressed"], policy, memory=memory, unranged=unranged, local=local)
    return Suppression(primary, state["suppressed"], result, unranged)


class _Nesting:
    """Which published sums hold which: the sums that contain a sum, and the sums inside one (cached)."""

    def __init__(self, members: dict[Hashable, frozenset]):
        self.members = members
        self.by_cell: dict[int, list[Hashable]] = {}
        for key, cells in members.items():
            for cell in cells:
                self.by_cell.setdefault(cell, []).append(key)
        self._inside: dict[Hashable, list[Hashable]] = {}

    def holders(self, key: Hashable) -> list[Hashable]:
        cells = self.members[key]
        first = next(iter(cells))
        return [k for k in self.by_cell[first] if cells < self.members[k]]

    def inside(self, holder: Hashable) -> list[Hashable]:
        if holder not in self._inside:
            cells = self.members[holder]
            touching = {k for cell in cells for k in self.by_cell[cell]}
            self._inside[holder] = [k for k in touching if self.members[k] < cells]
        return self._inside[holder]


def _partners(key: Hashable, nesting: _Nesting, totals: dict, suppressed: set, policy: Policy, *,
              reuse: bool = False) -> set[Hashable]:
    """Released sums to withhold beside `key`: for each released total that holds `key` (each could give it away
    by subtraction), the smallest released sum inside it, disjoint from `key`, of at least `width`; the total
    itself when nothing inside it can hide `key`. With `reuse`, a total that already hides another part of at
    least `width` gets none (the audit says whether that is enough)."""
    cells = nesting.members[key]
    chosen: set[Hashable] = set()
    holders = [holder for holder in nesting.holders(key) if holder not in suppressed]
    # the nearest released totals only (an agency's total, not the grand total): a wider total is a sum of them,
    # and the audit brings it back if it still gives something away
    holders = [holder for holder in holders
               if not any(nesting.members[other] < nesting.members[holder] for other in holders)]
    for holder in holders:
        if any(k in chosen for k in nesting.inside(holder) if not (nesting.members[k] & cells)):
            continue
        if reuse and any(k in suppressed and totals[k] >= policy.width for k in nesting.inside(holder)
                         if not (nesting.members[k] & cells)):
            continue
        candidates = [k for k in nesting.inside(holder) if k not in suppressed and not (nesting.members[k] & cells)
                      and totals[k] >= max(1.0, policy.width)]
        chosen.add(min(candidates, key=lambda k: (totals[k], len(nesting.members[k]), str(k))) if candidates
                   else holder)
    return chosen


def audit(values: Sequence[float], sums: Mapping[Hashable, Sequence[int]], primary: set, suppressed: set,
          policy: Policy, *, memory: dict | None = None, check_only: Sequence[Hashable] | None = None,
          stop_early: bool = False, unranged: set = frozenset(),
          local: LocalAudit | None = None) -> list[tuple[Hashable, float, float, float, bool]]:
    """For every suppressed sum, the interval of values consistent with everything published.

    `check_only` works out those primary sums only, in the order given; with `stop_early` (a trial: does the
    audit still pass?) it stops at the first that fails.

    Published: each released sum exactly, each primary sum as the range 1..threshold (unless `unranged`: then
    "withheld", like a complementary one), every cell >= 0. Each sum is first tried by the quick proof (`local`,
    disclose_local.py: an LP over its neighbourhood, an interval inside the true one); a protected sum it finds
    too narrow goes to the full LP: cells fixed by what is released drop out, the others form independent
    groups, each one LP (HiGHS) whose objective is changed for each suppressed sum in it, minimised and maximised.
    """
    values = np.asarray(values, dtype=float)
    local = local if local is not None else LocalAudit(sums, values)
    ranged_keys = primary - set(unranged)
    threshold = float(policy.threshold)

    def bounds(key: Hashable) -> tuple[float, float] | None:
        if key not in suppressed:
            return local.totals[key], local.totals[key]
        return (1.0, threshold) if key in ranged_keys else None

    keys = sorted(suppressed, key=str)
    if check_only is not None:
        keys = [key for key in check_only if key in primary] if stop_early else \
            sorted({key for key in check_only if key in primary}, key=str)
    results: dict[Hashable, tuple] = {}
    full: list[Hashable] = []  # protected sums the quick proof could not show wide enough
    known = _known_cells([(cells, 0.0) for key, cells in sums.items() if key not in suppressed], len(values))
    for key in keys:
        quick = local.proof(key, bounds, policy.width if key in primary else 0.0, known)
        if quick is not None and (key not in primary or quick[1] - quick[0] >= policy.width - 1e-9):
            results[key] = (key, local.totals[key], round(quick[0], 6), round(quick[1], 6), True)
            continue
        around = local.outer(key, bounds, known)  # a relaxation: too narrow here is too narrow, no full LP needed
        if around is not None and around[1] - around[0] < policy.width - 1e-9:
            results[key] = (key, local.totals[key], round(around[0], 6), round(around[1], 6), False)
            if stop_early:
                break
        else:
            full.append(key)
    if full and not (stop_early and any(not row[-1] for row in results.values())):
        for row in _full_audit(values, sums, primary, suppressed, policy, memory, full, stop_early, unranged):
            results[row[0]] = row
            if stop_early and not row[-1]:
                break
    return sorted(results.values(), key=lambda row: str(row[0]))


def _full_audit(values: np.ndarray, sums: Mapping[Hashable, Sequence[int]], primary: set, suppressed: set,
                policy: Policy, memory: dict | None, keys: list[Hashable], stop_early: bool, unranged: set):
    """The exact intervals of `keys` by the full LP of their groups (rows as `audit` gives them), group by group."""
    released = [(list(cells), float(values[list(cells)].sum())) for key, cells in sums.items()
                if key not in suppressed]
    ranged = [(list(sums[key]), 1.0, float(policy.threshold)) for key in sorted(primary - set(unranged), key=str)]
    known = _known_cells(released, len(values))
    groups = _groups(released, ranged, [list(sums[key]) for key in suppressed], known)
    solver, loaded = _quiet_highs(), None
    memory = {} if memory is None else memory
    touching: dict[int, set] = {}  # group -> the suppressed sums over its cells: what its LP depends on
    for key in suppressed:
        for cell in sums[key]:
            if cell in groups:
                touching.setdefault(groups[cell][0], set()).add(key)
    group_of = lambda key: min((groups[c][0] for c in sums[key] if c in groups), default=-1)  # noqa: E731
    order = keys if stop_early else sorted(keys, key=lambda key: (group_of(key), str(key)))
    for key in order:
        cells = [cell for cell in sums[key] if cell not in known]
        fixed = float(sum(values[cell] for cell in sums[key] if cell in known))
        low = high = fixed
        if cells:
            group = groups[cells[0]]
            remembered = (key, tuple(group), frozenset(touching[group[0]]), frozenset(unranged))
            if remembered not in memory:
                if loaded is None or loaded[0] != group[0]:
                    column = {cell: index for index, cell in enumerate(group)}
                    _load(solver, released, ranged, column, known, values)
                    loaded = (group[0], column)
                memory[remembered] = (
                    _extreme(solver, [loaded[1][cell] for cell in cells], len(group), maximise=False),
                    _extreme(solver, [loaded[1][cell] for cell in cells], len(group), maximise=True))
            low, high = fixed + memory[remembered][0], fixed + memory[remembered][1]
        value = float(values[list(sums[key])].sum())
        ok = key not in primary or (high - low >= policy.width - 1e-9)
        yield key, value, round(low, 6), round(high, 6), ok


def _quiet_highs():
    """A HiGHS instance; its constructor prints a banner on the C level, which no output of ours may carry."""
    import os
    import sys

    import highspy

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            solver = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    solver.setOptionValue("output_flag", False)
    return solver


def _load(solver, released, ranged, column: dict[int, int], known: set[int], values: np.ndarray) -> None:
    """One group's LP: a column per unknown cell (>= 0), a row per released sum (= its value minus what is known)
    and per primary sum (within 1..threshold minus what is known)."""
    rows: list[tuple[list[int], float, float]] = []
    for cells, total in released:
        inside = [column[cell] for cell in cells if cell in column]
        if inside:
            offset = sum(values[cell] for cell in cells if cell in known)
            rows.append((inside, total - offset, total - offset))
    for cells, low, high in ranged:
        inside = [column[cell] for cell in cells if cell in column]
        if inside:
            offset = sum(values[cell] for cell in cells if cell in known)
            rows.append((inside, low - offset, high - offset))
    by_column: list[list[int]] = [[] for _ in column]
    for row, (inside, _, _) in enumerate(rows):
        for index in inside:
            by_column[index].append(row)
    solver.passModel(sums_lp(by_column, [low for _, low, _ in rows], [high for _, _, high in rows]))


def _extreme(solver, columns: list[int], width: int, *, maximise: bool) -> float:
    """The smallest (or largest) sum of `columns` over the loaded LP; infinity when nothing bounds it."""
    import highspy

    cost = np.zeros(width)
    cost[columns] = 1.0
    solver.changeColsCost(width, np.arange(width, dtype=np.int32), cost)
    solver.changeObjectiveSense(highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize)
    solver.run()
    status = solver.getModelStatus()
    if status == highspy.HighsModelStatus.kOptimal:
        return float(solver.getInfo().objective_function_value)
    if status == highspy.HighsModelStatus.kUnbounded:
        return float("inf") if maximise else 0.0
    raise RuntimeError(f"the disclosure audit's LP ended as {solver.modelStatusToString(status)}")


def _known_cells(released: list[tuple[list[int], float]], count: int) -> set[int]:
    """Cells whose value the released sums give away: released singletons, then sums with one unknown left."""
    known: set[int] = set()
    changed = True
    while changed:
        changed = False
        for cells, _ in released:
            unknown = [cell for cell in cells if cell not in known]
            if len(unknown) == 1:
                known.add(unknown[0])
                changed = True
    return known


def _groups(released, ranged, targets, known: set[int]) -> dict[int, list[int]]:
    """Unknown cells joined by any constraint or target into groups (connected components): each group is one LP."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    heads, tails, seen = [], [], set()
    for cells in [c for c, _ in released] + [c for c, _, _ in ranged] + targets:
        unknown = [cell for cell in cells if cell not in known]
        seen.update(unknown)
        heads += [unknown[0]] * (len(unknown) - 1) if unknown else []
        tails += unknown[1:]
    if not seen:
        return {}
    cells = sorted(seen)
    index = {cell: number for number, cell in enumerate(cells)}
    graph = coo_matrix((np.ones(len(heads)), ([index[c] for c in heads], [index[c] for c in tails])),
                       shape=(len(cells), len(cells)))
    _, labels = connected_components(graph, directed=False)
    members: dict[int, list[int]] = {}
    for cell, label in zip(cells, labels.tolist()):
        members.setdefault(label, []).append(cell)
    return {cell: members[label] for cell, label in zip(cells, labels.tolist())}
