"""At a glance: one block of numbers per system for the period in focus, each with its qualifier, its
completeness in words and the call that gives it; the notable changes beneath."""
from __future__ import annotations

import pandas as pd

from ..aggregate import CountQuery
from ..release import disclosure_note
from ..wording import count_words, is_known, qualifier_words, share_words
from .changes import against_last_complete, comparison, notable_notes
from .content import Bullets, Fact, Facts, Paragraph, Section, Table
from .measures import other_measures_note
from .focus import Focus, api_call, grain_words, said_row, searched

VAGUE_SHARE = 0.5   # agencies whose reasons are vague this often are named ...
VAGUE_MINIMUM = 10  # ... when they searched at least this often (a share of 4 searches in 7 says little)
LISTED = 3          # agencies named in a fact's detail before "and N more"


def glance_section(f: Focus) -> Section:
    """The first page: the period and why it is the one, then per system its numbers and notable changes."""
    blocks: list = [Paragraph(f.review.why, "lede")]
    glance: list[dict] = []
    for system in f.systems:
        facts = system_facts(f, system)
        blocks.append(Facts(system, tuple(facts)))
        glance += [{"system": system, "period": f.period.label, "key": fact.key, "label": fact.label,
                    "value": fact.value if fact.kind == "count" else None,
                    "share": fact.value if fact.kind == "share" else None, "qualifier": fact.qualifier,
                    "in_words": fact.words, "detail": fact.detail, "complete": fact.complete, "query": fact.query}
                   for fact in facts]
        stated = f.stated_complete(system)
        if stated:
            blocks.append(Paragraph(f"{stated} was stated complete by the person who ingested it (--complete): "
                                    f"this report relies on that statement for the completeness of {system}.",
                                    "note"))
        notes = notable_notes(f, system)
        if notes:
            blocks.append(Bullets(tuple(notes), f"What changed in {system}"))
    if f.others:
        spans = []
        for system in f.others:
            rows = f.totals[(f.totals["system"] == system) & f.totals["has_data"]]
            spans.append(f"{system} ({rows['period'].iloc[0]} to {rows['period'].iloc[-1]})")
        blocks.append(Paragraph(f"No data for {f.period.label} from: {'; '.join(spans)}. Their numbers are in "
                                "the tables and spreadsheet that come with this report.", "note"))
    other = other_measures_note(f)
    if other:
        blocks.append(other)
    blocks.append(Paragraph(
        "Numbers marked \"at least\", \"about\", \"withheld\", \"<10\" or \"missing\" are not exact: withheld and "
        "suppressed cells are never shown as zero, and missing is not zero. Searches of different systems are "
        "never added together. Published figures from other places and periods are under Context, apart.",
        "note"))
    protection = disclosure_note(f.analysis)
    if protection:
        blocks.append(Paragraph(*protection))
    f.review.add_table(Table(
        "at-a-glance", f"At a glance, {f.period.label}", pd.DataFrame(glance, columns=[
            "system", "period", "key", "label", "value", "share", "qualifier", "in_words", "detail", "complete",
            "query"]), (), sheet="At a glance",
        note="Each number with its qualifier in its own column: counts in value, shares in share (as fractions: "
             "0.12 is 12%); query names the Python call that gives the number."))
    return Section("at-a-glance", f"{f.period.label} at a glance", blocks)


def system_facts(f: Focus, system: str) -> list[Fact]:
    """Every number of one system's block, in the order a board reads them."""
    grain = grain_words(f.grain)
    row = f.total_row(system, f.period)
    previous_row, year_row = f.total_row(system, f.previous), f.total_row(system, f.year_ago)
    total_call = api_call("counts", CountQuery((), f.grain, "searches", f.fy))
    changes_call = api_call("changes", CountQuery((), f.grain, "searches", f.fy))
    f.ask_changes(())  # the call and SQL behind the two comparisons, for the Queries sheet
    value, qualifier, words = said_row(row)
    facts = [Fact("searches", f"Searches in {f.period.label}", words, f.completeness(row), value, qualifier,
                  bool(row["complete"]), total_call)]
    for key, period, other in (("previous", f.previous, previous_row), ("year_ago", f.year_ago, year_row)):
        label = (f"Previous {grain} ({period.label})" if key == "previous"
                 else f"Same {grain} a year before ({period.label})")
        if other is None or not other["has_data"]:
            facts.append(Fact(key, label, "no data", f"no source covers {period.label}", None, "missing", None,
                              changes_call))
            continue
        compared = comparison(f, system, key)
        other_value, other_qualifier, other_words = said_row(other)
        detail = compared.change_words()
        if compared.why_not:
            fallback = against_last_complete(f, system) if key == "previous" else ""
            if fallback:
                detail += f"; {fallback}"
        elif compared.verdict:
            detail += f"; {compared.verdict}"
        facts.append(Fact(key, label, other_words, f"{f.completeness(other)}; {detail}", other_value,
                          other_qualifier, bool(other["complete"]), changes_call))
    facts += federal_facts(f, system, row)
    facts += reason_facts(f, system, row)
    facts += agency_facts_of(f, system)
    facts += access_facts(f, system, row)
    return facts


def federal_facts(f: Focus, system: str, total) -> list[Fact]:
    only = f.only_agency(system)
    if only:  # one agency's own searches say nothing of whether federal agencies searched
        return [Fact("federal", "Searches by federal agencies", "not given",
                     f"this source lists only the searches of {only}", None, "not given", None,
                     api_call("counts", CountQuery(("federal",), f.grain, "searches", f.fy)))]
    counts = f.ask(("federal",))
    shares = f.ask_shares(("federal",))
    call = api_call("counts", CountQuery(("federal",), f.grain, "searches", f.fy))
    federal = f.row_at(counts, system, federal=True)
    share = f.row_at(shares, system, federal=True)
    unknown = f.row_at(counts, system, federal=None)
    departments = f.ask(("federal", "department"))
    rows = departments[(departments["system"] == system) & (departments["period_start"] == f.period.start)
                       & departments["federal"].eq(True).fillna(False)]
    rows = rows[searched(rows)].sort_values(["value", "department"], ascending=[False, True], na_position="last")
    detail = [f"{share_words(share['value'], exact=bool(share['exact']))} of all searches"
              if share is not None and is_known(share["value"]) else ""]
    if len(rows):
        detail.append("by department: " + ", ".join(f"{r.department} {r.display}" for r in rows.itertuples()))
    if unknown is not None and is_known(unknown["value"]) and unknown["value"] > 0:
        detail.append(f"{unknown['display']} more by agencies whose level is not known")
    if federal is None:
        return [Fact("federal", "Searches by federal agencies", "0", "; ".join(d for d in detail if d) or
                     "no federal agency searched", 0.0, "exact", bool(total["complete"]), call)]
    value, qualifier, words = said_row(federal)
    facts = [Fact("federal", "Searches by federal agencies", words, "; ".join(d for d in detail if d), value,
                  qualifier, bool(federal["complete"]), call)]
    if share is not None and is_known(share["value"]):
        facts.append(Fact("federal_share", "Share of searches by federal agencies",
                          share_words(share["value"], exact=bool(share["exact"])), "of all searches of the system",
                          float(share["value"]), "exact" if share["exact"] else "about", bool(share["complete"]),
                          api_call("shares", CountQuery(("federal",), f.grain, "searches", f.fy)), "share"))
    return facts


def reason_facts(f: Focus, system: str, total) -> list[Fact]:
    call = api_call("counts", CountQuery(("reason_category",), f.grain, "searches", f.fy))  # its share: db.shares
    if not f.has_reasons(system):
        return [Fact("immigration", "Immigration-related searches", "not given",
                     "this source gives no reasons", None, "not given", None, call)]
    counts = f.ask(("reason_category",))
    shares = f.ask_shares(("reason_category",))
    facts = []
    for key, label, about in (
            ("immigration", "Immigration-related searches",
             "the reason names ICE, ERO, HSI, CBP, Border Patrol, deportation or immigration"),
            ("vague", "Searches whose reason says nothing",
             "\"investigation\", \"inv\", \"case\" and the like on their own")):
        row, share = f.row_at(counts, system, reason_category=key), f.row_at(shares, system, reason_category=key)
        if row is None:
            facts.append(Fact(key, label, "0", about, 0.0, "exact", bool(total["complete"]), call))
            continue
        value, qualifier, words = said_row(row)
        share_text = (f"{share_words(share['value'], exact=bool(share['exact']))} of all searches"
                      if share is not None and is_known(share["value"]) else "share not known")
        detail = f"{share_text}; {about}"
        if key == "vague":
            heavy = vague_agencies(f, system)
            if len(heavy):
                detail += (f"; agencies (of {VAGUE_MINIMUM} searches or more) whose reasons are this vague more than "
                           f"{VAGUE_SHARE:.0%} of the time: "
                           + ", ".join(f"{r.agency} ({r.vague_share_in_words})" for r in heavy.itertuples()))
        facts.append(Fact(key, label, words, detail, value, qualifier, bool(row["complete"]), call))
    return facts


def vague_table(f: Focus) -> pd.DataFrame:
    if "vague" in f.cache:
        return f.cache["vague"]
    shares = f.ask_shares(("agency", "reason_category"), within=("agency",))
    counts = f.ask(("agency", "reason_category"))
    focus = counts[(counts["period_start"] == f.period.start) & counts["agency"].notna()]
    totals = f.by_agency[(f.by_agency["period_start"] == f.period.start)
                            & f.by_agency["agency"].notna()]
    vague = focus[focus["reason_category"].eq("vague").fillna(False)][["system", "agency", "value", "display"]]
    share = shares[(shares["period_start"] == f.period.start)
                   & shares["reason_category"].eq("vague").fillna(False)][["system", "agency", "value", "display"]]
    table = totals[["system", "agency", "value", "display", "status"]].rename(
        columns={"value": "searches", "display": "searches_in_words"})
    table = table.merge(vague.rename(columns={"value": "vague", "display": "vague_in_words"}),
                        on=["system", "agency"], how="left")
    table = table.merge(share.rename(columns={"value": "vague_share", "display": "vague_share_in_words"}),
                        on=["system", "agency"], how="left")
    logged = {s for s in f.systems if f.has_reasons(s)}
    table = table[table["system"].isin(logged) & searched(table, "searches")].drop(columns="status")
    none = table["vague_in_words"].isna()  # an agency with no vague reason: none of its searches (a held-back count
    table.loc[none, "vague"] = 0.0         # or share stays unknown, never 0)
    table.loc[none, "vague_in_words"] = "0"
    no_share = table["vague_share_in_words"].isna()
    table.loc[no_share, "vague_share"] = 0.0
    table.loc[no_share, "vague_share_in_words"] = "0%"
    table.insert(1, "period", f.period.label)
    f.cache["vague"] = table.sort_values(["system", "vague_share", "agency"], ascending=[True, False, True])
    return f.cache["vague"]


def vague_agencies(f: Focus, system: str) -> pd.DataFrame:
    table = vague_table(f)
    return table[(table["system"] == system) & (table["vague_share"] > VAGUE_SHARE)
                 & (table["searches"] >= VAGUE_MINIMUM)]


def agency_facts_of(f: Focus, system: str) -> list[Fact]:
    call = api_call("counts", CountQuery(("agency",), f.grain, "searches", f.fy))
    rows = f.by_agency[(f.by_agency["system"] == system)
                          & (f.by_agency["period_start"] == f.period.start) & f.by_agency["agency"].notna()]
    searching = rows[(rows["value"].fillna(0) > 0) | (rows["withheld_cells"] + rows["suppressed_cells"] > 0)]
    roster = f.roster()
    new = roster[(roster["system"] == system) & roster["new"].eq(True)
                 & (roster["first_period"] == f.period.label)]
    earlier = f.totals[(f.totals["system"] == system) & f.totals["complete"]
                          & (f.totals["period_start"] < f.period.start)]
    only = f.only_agency(system)
    if only:
        first = f"this source lists only the searches of {only}"
    elif len(new):
        first = "searching for the first time: " + ", ".join(new["agency"])
    elif len(earlier):
        first = "none searching for the first time"
    else:
        first = (f"\"first time\" is not measured: no complete {grain_words(f.grain)} of this system comes "
                 "before this one")
    return [Fact("agencies", "Agencies searching", f"{len(searching):,}", first, float(len(searching)), "exact",
                 None, call)]


def access_facts(f: Focus, system: str, total) -> list[Fact]:
    facts = []
    for measure, key, label in (("searches_beyond_retention", "beyond_retention",
                                 "Searches looking back beyond the retention period"),
                                ("searches_multi_network", "multi_network",
                                 "Searches across more than one network")):
        if measure not in f.analysis.measures():
            continue
        table = f.ask((), measure)
        row = f.row_at(table, system) if len(table) else None
        if row is None or not row["reported_cells"]:
            continue
        value, qualifier, words = said_row(row)
        detail = ""
        if value is not None and is_known(total["value"]) and total["value"] > 0:
            exact = bool(row["exact"]) and bool(total["exact"])  # a ratio of two counts: exact when both are
            detail = f"{share_words(value / total['value'], exact=exact)} of all searches"
        if measure == "searches_beyond_retention":
            days = f.retention_days(system)
            if days:
                detail = f"{detail}; retention period {days} days".lstrip("; ")
        facts.append(Fact(key, label, words, detail, value, qualifier, bool(row["complete"]),
                          api_call("counts", CountQuery((), f.grain, measure, f.fy))))
    users = (f.ask(("agency",), "distinct_users", "reported") if "distinct_users" in f.analysis.measures()
             else pd.DataFrame())
    rows = users[users["system"] == system] if len(users) else users
    if len(rows):  # a count per agency over the whole log, never added up: the largest, the others beside it
        rows = rows.sort_values(["value", "agency"], ascending=[False, True])
        top = rows.iloc[0]
        others = ", ".join(f"{r.agency} {r.display}" for r in rows.iloc[1:6].itertuples())
        detail = (f"over the whole log ({top['period']}); " + (f"other agencies: {others}; " if others else "")
                  + "user ids are counted, never kept")
        facts.append(Fact("distinct_users", f"Distinct users of {top['agency']}", top["display"], detail,
                          float(top["value"]), qualifier_words(top), None,
                          api_call("counts", CountQuery(("agency",), "reported", "distinct_users", f.fy))))
    facts += behalf_facts(f, system)
    return facts


def behalf_facts(f: Focus, system: str) -> list[Fact]:
    """Searches whose reason names another agency they were run for ("assist ICE"): an agency naming itself or
    its own parent or department (ERO writing "ICE+ERO") is not another agency."""
    if not f.has_reasons(system):  # agencies are named in reasons: no reasons, none named
        return []
    behalf = f.ask(("agency", "on_behalf_of"))
    rows = behalf[(behalf["system"] == system) & (behalf["period_start"] == f.period.start)
                  & behalf["on_behalf_of"].notna() & behalf["agency"].notna()
                  & ((behalf["value"].fillna(0) > 0) | behalf["status"].isin(["suppressed", "withheld"]))]
    rows = rows[[named not in {agency, f.facts_of(agency, "parent"), f.facts_of(agency, "department")}
                 for agency, named in zip(rows["agency"], rows["on_behalf_of"])]]
    if not len(rows):
        return []
    total = float(rows["value"].fillna(rows["value_low"]).fillna(0).sum())  # a part held back: at its least
    exact = bool(rows["exact"].all())
    named, by = _summed(rows, "on_behalf_of"), _summed(rows, "agency")
    detail = ("for " + _listed(named) + "; by " + _listed(by)
              + " (the agency is named in the reason text, as in \"assist ICE\"; the text is not kept)")
    return [Fact("on_behalf_of", "Searches run for another agency", count_words(total) if exact
                 else f"at least {count_words(total)}", detail, total, "exact" if exact else "at least", None,
                 api_call("counts", CountQuery(("agency", "on_behalf_of"), f.grain, "searches", f.fy)))]


def _summed(rows: pd.DataFrame, by: str) -> pd.Series:
    """Counts summed by name, largest first, in words: a part held back counts at its published least ("1-10" as
    1, "withheld" as 0) and makes the sum "at least"; a name with one part reads as that part does."""
    rows = rows.assign(least=rows["value"].fillna(rows["value_low"]).fillna(0))
    sums = rows.groupby(by).agg(least=("least", "sum"), exact=("exact", "all"), parts=("least", "size"),
                                display=("display", "first"))
    sums = sums.sort_values("least", ascending=False, kind="stable")
    return pd.Series([count_words(v) if exact else display if parts == 1 else f"at least {count_words(v)}"
                      for v, exact, parts, display in zip(sums["least"], sums["exact"], sums["parts"],
                                                          sums["display"])], index=sums.index)


def _listed(counts: pd.Series) -> str:
    """'ICE 9, CBP 2 and 3 more' from counts in words by name, largest first."""
    shown = ", ".join(f"{name} {n}" for name, n in counts.head(LISTED).items())
    return shown + (f" and {len(counts) - LISTED} more" if len(counts) > LISTED else "")
