"""Printable Vietnamese slips (Circular 01/2018/TT-VPCP forms 01-06), rendered from the
provincial database. The renderers are pure: data in, HTML out, every value escaped."""

from __future__ import annotations

from hub.slips.kinds import SlipKind, SlipNotApplicable, render_dossier_slip
from hub.slips.model import DossierSlip, ProcedureInfo, Register, RegisterEntry, Step, UnitInfo
from hub.slips.register import render_register

__all__ = [
    "DossierSlip",
    "ProcedureInfo",
    "Register",
    "RegisterEntry",
    "SlipKind",
    "SlipNotApplicable",
    "Step",
    "UnitInfo",
    "render_dossier_slip",
    "render_register",
]
