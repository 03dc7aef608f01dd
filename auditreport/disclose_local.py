"""The audit's quick proof: a suppressed sum is safe when, with every cell outside a small neighbourhood held at
its true value, it can still move across an interval at least `width` wide.

Holding cells fixed only removes solutions, so the interval a local LP finds lies inside the one the full LP
(disclose.audit) finds: wide enough here is wide enough there. A protected sum the local LP finds too narrow
goes to the full LP, so every pass or fail is the full LP's, as before; only the interval written in the
(private) audit of a sum proved here is this inner one, and the audit file says so.

A proof stays good while no constraint around its neighbourhood is added: withholding more, or dropping a
range, only removes constraints; releasing a sum that touches the neighbourhood sends the sum back for a new
proof. So the greedy rounds and the release trials of disclose.py re-prove only what changed near them.

The neighbourhood of a sum grows from its cells by whole atoms (the smallest published sum holding a cell: an
agency's count of one reason, say), expanding the smallest constraint around it first and taking from each the
atoms that meet the most constraints already around: the four corners of a swap (+d here, -d beside it, -d
below, +d across) come in. On a report of 2,000 agencies this turns tens of thousands of LPs over thousands of
cells into LPs over a few dozen.

>>> sums = {"r1": [0, 1], "r2": [2, 3], "c1": [0, 2], "c2": [1, 3], "a": [0]}
>>> local = LocalAudit(sums, [3, 4, 5, 4])
>>> local.proof("a", {"r1": (7, 7), "r2": (9, 9), "c1": (8, 8), "c2": (8, 8)}.get)  # a 2 x 2 table with margins
(0.0, 7.0)
"""
from __future__ import annotations

import heapq
from typing import Callable, Hashable, Mapping, Sequence

import numpy as np

Bounds = Callable[[Hashable], "tuple[float, float] | None"]  # a sum's published bounds; None: not published

PARTNERS = 3     # atoms taken from each constraint expanded
SCAN = 200       # cells of a constraint looked at for them
LIMIT = 160      # cells in a neighbourhood at most
EXPANSIONS = 16  # constraints expanded at most


def sums_lp(by_column: list[list[int]], lows: Sequence[float], highs: Sequence[float]):
    """The audit's LPs, in HiGHS: a column (>= 0, cost 0) per unknown, listing the rows (published sums) it is in
    with coefficient 1; each row between its low and high."""
    import highspy

    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(by_column), len(lows)
    lp.col_cost_ = np.zeros(len(by_column))
    lp.col_lower_ = np.zeros(len(by_column))
    lp.col_upper_ = np.full(len(by_column), highspy.kHighsInf)
    lp.row_lower_ = np.array(lows, dtype=float)
    lp.row_upper_ = np.array(highs, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.cumsum([0] + [len(entries) for entries in by_column]).astype(np.int32)
    lp.a_matrix_.index_ = np.array([row for entries in by_column for row in entries], dtype=np.int32)
    lp.a_matrix_.value_ = np.ones(len(lp.a_matrix_.index_))
    return lp


class LocalAudit:
    """Local LPs over the published sums of one problem (key -> cells), with the proofs found so far."""

    def __init__(self, sums: Mapping[Hashable, Sequence[int]], values: Sequence[float]):
        self.sums = {key: list(cells) for key, cells in sums.items()}
        self.values = np.asarray(values, dtype=float)
        self.totals = {key: float(self.values[cells].sum()) for key, cells in self.sums.items()}
        self.by_cell: dict[int, list[Hashable]] = {}
        for key, cells in self.sums.items():
            for cell in cells:
                self.by_cell.setdefault(cell, []).append(key)
        self._atoms: dict[int, list[int]] = {}
        self._proofs: dict[Hashable, tuple[frozenset, tuple[float, float]]] = {}
        self._solver = None

    def atom(self, cell: int) -> tuple[Hashable | None, list[int]]:
        """The smallest sum holding `cell` with another cell in it, and its cells (None and the cell alone)."""
        if cell not in self._atoms:
            holding = [k for k in self.by_cell.get(cell, []) if len(self.sums[k]) > 1]
            smallest = min(holding, key=lambda k: (len(self.sums[k]), str(k))) if holding else None
            self._atoms[cell] = (smallest, self.sums[smallest] if smallest is not None else [cell])
        return self._atoms[cell]

    def proof(self, key: Hashable, bounds: Bounds, width: float = 0.0,
              known: set[int] = frozenset()) -> tuple[float, float] | None:
        """An interval the sum `key` can take under `bounds` with everything outside its neighbourhood at its true
        value (inside the true interval); a proof found before is reused while nothing around it was published
        since and it was at least `width` wide. None when the LP ends neither optimal nor unbounded."""
        cached = self._proofs.get(key)
        if cached is not None:
            absent_then, interval = cached
            if interval[1] - interval[0] >= width - 1e-9 and all(bounds(k) is None for k in absent_then):
                return interval
        neighbourhood = self.neighbourhood(self.sums[key], bounds, known)
        touching = {k for cell in neighbourhood for k in self.by_cell.get(cell, [])}
        interval = self._solve(neighbourhood, [k for k in touching if bounds(k) is not None], bounds, self.sums[key])
        if interval is not None:
            self._proofs[key] = (frozenset(k for k in touching if bounds(k) is None), interval)
        return interval

    def outer(self, key: Hashable, bounds: Bounds, known: set[int] = frozenset()) -> tuple[float, float] | None:
        """An interval around every value the sum `key` can take (a relaxation: outside the neighbourhood, each
        constraint's other cells are one free number of its own): too narrow here is too narrow everywhere."""
        neighbourhood = self.neighbourhood(self.sums[key], bounds, known)
        touching = {k for cell in neighbourhood for k in self.by_cell.get(cell, [])}
        return self._solve(neighbourhood, [k for k in touching if bounds(k) is not None], bounds, self.sums[key],
                           relaxed=True)

    def neighbourhood(self, cells: Sequence[int], bounds: Bounds, known: set[int] = frozenset()) -> list[int]:
        """The cells of `cells`' atoms, and atoms taken from the constraints around them, smallest first: those
        that can move (a suppressed sum, cells the released sums do not pin) and meet the most constraints
        already around."""
        chosen: dict[int, None] = {}
        near: set[Hashable] = set()
        queue: list[tuple[int, str, Hashable]] = []

        def add(new: Sequence[int]) -> None:
            for cell in new:
                if cell in chosen:
                    continue
                chosen[cell] = None
                for k in self.by_cell.get(cell, []):
                    if k not in near and bounds(k) is not None:
                        near.add(k)
                        if len(self.sums[k]) > 1:
                            heapq.heappush(queue, (len(self.sums[k]), str(k), k))

        for cell in cells:
            add(self.atom(cell)[1])
        for _ in range(EXPANSIONS):
            if not queue or len(chosen) >= LIMIT:
                break
            _, _, constraint = heapq.heappop(queue)
            scored: dict[tuple, tuple] = {}
            for cell in self.sums[constraint][:SCAN]:
                owner, members = self.atom(cell)
                atom = tuple(members)
                if cell in chosen or atom in scored or all(member in known for member in atom):
                    continue
                published = bounds(owner) if owner is not None else None
                fixed = published is not None and published[0] == published[1]  # a released sum: moves only inside
                meets = len({k for member in atom for k in self.by_cell[member]} & near)
                if meets >= 2:
                    scored[atom] = (fixed, -meets, atom)
            for _, _, atom in sorted(scored.values())[:PARTNERS]:
                add(atom)
        return list(chosen)

    def _solve(self, neighbourhood: list[int], present: list[Hashable], bounds: Bounds,
               target: Sequence[int], relaxed: bool = False) -> tuple[float, float] | None:
        """Min and max of the sum of `target` over the local LP: a column per cell of the neighbourhood (>= 0), a
        row per published sum touching it, whose bounds lose the true values of its cells outside; `relaxed`:
        those cells are instead one more column (>= 0) of that row alone."""
        import highspy

        from .disclose import _quiet_highs

        column = {cell: index for index, cell in enumerate(neighbourhood)}
        by_column: list[list[int]] = [[] for _ in column]
        lows, highs = [], []
        for row, k in enumerate(present):
            inside = [cell for cell in self.sums[k] if cell in column] if len(self.sums[k]) <= len(column) else \
                [cell for cell in column if k in self.by_cell[cell]]
            outside = self.totals[k] - float(self.values[inside].sum())
            low, high = bounds(k)
            if relaxed and len(inside) < len(self.sums[k]):
                by_column.append([row])  # the cells outside, as one number
                outside = 0.0
            lows.append(low - outside)
            highs.append(high - outside)
            for cell in inside:
                by_column[column[cell]].append(row)
        lp = sums_lp(by_column, lows, highs)
        lp.col_cost_[[column[cell] for cell in target]] = 1.0
        if self._solver is None:
            self._solver = _quiet_highs()
        solver = self._solver
        solver.passModel(lp)
        ends = []
        for sense in (highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize):
            solver.changeObjectiveSense(sense)
            solver.run()
            status = solver.getModelStatus()
            if status == highspy.HighsModelStatus.kOptimal:
                ends.append(float(solver.getInfo().objective_function_value))
            elif status == highspy.HighsModelStatus.kUnbounded and sense == highspy.ObjSense.kMaximize:
                ends.append(float("inf"))
            else:
                return None
        return ends[0], ends[1]
