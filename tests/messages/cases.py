"""Input messages as fixtures: good ones with what they parse to, bad ones with
the ER code each must get. Every ER code the codec produces has a bad example.
"""

from __future__ import annotations

from typing import NamedTuple

from switch.messages import Message


class Good(NamedTuple):
    text: str
    message: Message


class Bad(NamedTuple):
    id: str
    text: str
    code: str


GOOD: list[Good] = [
    Good(
        "DQ.NY0303000.WA.*K7F2.TXTNAM/DOE,JOHN.DOB/19800101.SEX/M",
        Message(
            "DQ", "NY0303000", ("WA",), {"NAM": "DOE,JOHN", "DOB": "19800101", "SEX": "M"}, "K7F2"
        ),
    ),
    Good(
        "DQ.VTICE0900.IL,MN,NY.TXTOLN/D1234567.IMQ/Y.RSN/N.WRT/I200-2026-0001",
        Message(
            "DQ",
            "VTICE0900",
            ("IL", "MN", "NY"),
            {"OLN": "D1234567", "IMQ": "Y", "RSN": "N", "WRT": "I200-2026-0001"},
        ),
    ),
    Good(
        "DQ.NY0303000.NL.TXTOLN/123456789.NAM/O'NEIL-SMITH,MARY ANN",
        Message("DQ", "NY0303000", ("NL",), {"OLN": "123456789", "NAM": "O'NEIL-SMITH,MARY ANN"}),
    ),
    Good(
        "DNQ.CA0190000.WAOLN0000.TXTNAM/VAN DER BERG,ANNA.DOB/070485",
        Message("DNQ", "CA0190000", ("WAOLN0000",), {"NAM": "VAN DER BERG,ANNA", "DOB": "070485"}),
    ),
    Good(
        "RQ.TX2270000.OR.TXTLIC/ABC1234.LIY/2027.LIT/PC",
        Message("RQ", "TX2270000", ("OR",), {"LIC": "ABC1234", "LIY": "2027", "LIT": "PC"}),
    ),
    Good(
        "RQ.TX2270000.OR,WA.*A1.TXTVIN/1HGCM82633A004352.RSN/S",
        Message("RQ", "TX2270000", ("OR", "WA"), {"VIN": "1HGCM82633A004352", "RSN": "S"}, "A1"),
    ),
    Good(
        "RNQ.FL0130000.GA.TXTNAM/DOE,JANE.DOB/19700315",
        Message("RNQ", "FL0130000", ("GA",), {"NAM": "DOE,JANE", "DOB": "19700315"}),
    ),
    Good(
        "KQ.MA0130100.NH.TXTNAM/ROE,RICHARD.DOB/19651231.SEX/M.RSN/T",
        Message(
            "KQ",
            "MA0130100",
            ("NH",),
            {"NAM": "ROE,RICHARD", "DOB": "19651231", "SEX": "M", "RSN": "T"},
        ),
    ),
    # The regional forms: rewritten to DQ/RQ on reading, rendered back as sent.
    Good(
        "DQG.NY0303000.RH.*R1.TXTNAM/DOE,JOHN.DOB/19800101.SEX/M.RSN/T",
        Message(
            "DQ",
            "NY0303000",
            ("RH",),
            {"NAM": "DOE,JOHN", "DOB": "19800101", "SEX": "M", "RSN": "T"},
            "R1",
            regional=True,
        ),
    ),
    Good(
        "RQG.TX2270000.RE,RG.TXTLIC/ABC1234.LIY/2026.LIT/PC",
        Message(
            "RQ",
            "TX2270000",
            ("RE", "RG"),
            {"LIC": "ABC1234", "LIY": "2026", "LIT": "PC"},
            regional=True,
        ),
    ),
    Good(
        "RQ.TX2270000.OR.TXTLIC/ABC1234.LIY/NX.LIT/PC",
        Message("RQ", "TX2270000", ("OR",), {"LIC": "ABC1234", "LIY": "NX", "LIT": "PC"}),
    ),
    Good(
        "KQ.MA0130100.NH.TXTOLN/D1234567.ATN/SGT O'NEIL-DOE 4411",
        Message("KQ", "MA0130100", ("NH",), {"OLN": "D1234567", "ATN": "SGT O'NEIL-DOE 4411"}),
    ),
    Good(
        "AM.NY0303000.WA0340000.TXTPLEASE CALL DESK SGT RE CASE 26-114. THANKS.",
        Message(
            "AM",
            "NY0303000",
            ("WA0340000",),
            {"TXT": "PLEASE CALL DESK SGT RE CASE 26-114. THANKS."},
        ),
    ),
    Good(
        "AM.NY0303000.WA,OR.TXTLINE ONE\nline two: lower case/punctuation ok",
        Message(
            "AM",
            "NY0303000",
            ("WA", "OR"),
            {"TXT": "LINE ONE\nline two: lower case/punctuation ok"},
        ),
    ),
]

# Grouped by ER code; ids say what is wrong.
BAD: list[Bad] = [
    # .01. invalid header
    Bad("empty", "   \r\n ", ".01."),
    Bad("unknown-key", "XQ.NY0303000.WA.TXTOLN/1", ".01."),
    Bad("lower-case-key", "dq.NY0303000.WA.TXTOLN/1", ".01."),
    Bad("key-only", "DQ", ".01."),
    Bad("key-and-ori", "DQ.NY0303000", ".01."),
    Bad("ori-short", "DQ.NY030300.WA.TXTOLN/1", ".01."),
    Bad("ori-long", "DQ.NY03030000.WA.TXTOLN/1", ".01."),
    Bad("ori-digit-state", "DQ.1Y0303000.WA.TXTOLN/1", ".01."),
    Bad("ori-lower", "DQ.ny0303000.WA.TXTOLN/1", ".01."),
    Bad("ori-empty", "DQ..WA.TXTOLN/1", ".01."),
    Bad("sender-is-switch", "DQ.NL0000000.WA.TXTOLN/1", ".01."),
    Bad("control-empty", "DQ.NY0303000.WA.*.TXTOLN/1", ".01."),
    Bad("control-long", "DQ.NY0303000.WA.*ABCDEFGHIJK.TXTOLN/1", ".01."),
    Bad("control-lower", "DQ.NY0303000.WA.*k7f2.TXTOLN/1", ".01."),
    # .02. message type not allowed
    Bad("output-key-DR", "DR.NY0303000.WA.TXTOLN/1", ".02."),
    Bad("output-key-ER", "ER.NY0303000.WA.TXTOLN/1", ".02."),
    Bad("output-key-SM", "SM.NY0303000.WA.TXTOLN/1", ".02."),
    # .03. TXT not found
    Bad("no-txt", "DQ.NY0303000.WA.OLN/1", ".03."),
    Bad("header-only", "DQ.NY0303000.WA", ".03."),
    Bad("header-dot-only", "DQ.NY0303000.WA.", ".03."),
    Bad("control-no-txt", "DQ.NY0303000.WA.*K7F2", ".03."),
    Bad("dot-for-comma", "DQ.NY0303000.WA.OR.TXTOLN/1", ".03."),
    Bad("txt-lower", "DQ.NY0303000.WA.txtOLN/1", ".03."),
    # A line break ends the header: the destinations do not run on into the fields.
    Bad("break-before-txt", "DQ.TX0150100.WA\nOLN/WDL0000001", ".03."),
    Bad("crlf-before-txt", "DQ.TX0150100.WA,OR\r\nOLN/WDL0000001", ".03."),
    Bad("break-after-control", "DQ.TX0150100.WA.*K7F2\nOLN/1", ".03."),
    Bad("break-after-ori", "DQ.TX0150100\nWA.TXTOLN/1", ".03."),
    # .05. DOB invalid or missing
    Bad("dob-missing", "DQ.NY0303000.WA.TXTNAM/DOE,JOHN.SEX/M", ".05."),
    Bad("dqg-dob-missing", "DQG.NY0303000.RH.TXTNAM/DOE,JOHN.SEX/M", ".05."),
    Bad("dob-not-a-date", "DQ.NY0303000.WA.TXTNAM/DOE,JOHN.DOB/19800231.SEX/M", ".05."),
    Bad("dob-month-13", "DQ.NY0303000.WA.TXTNAM/DOE,JOHN.DOB/131580.SEX/M", ".05."),
    Bad("dob-future", "DQ.NY0303000.WA.TXTNAM/DOE,JOHN.DOB/29991231.SEX/M", ".05."),
    Bad("dob-too-old", "DQ.NY0303000.WA.TXTNAM/DOE,JOHN.DOB/18991231.SEX/M", ".05."),
    Bad("dob-7-digits", "DQ.NY0303000.WA.TXTNAM/DOE,JOHN.DOB/1980010.SEX/M", ".05."),
    Bad("dob-dashes", "DQ.NY0303000.WA.TXTNAM/DOE,JOHN.DOB/1980-01-01.SEX/M", ".05."),
    Bad("dob-empty", "DNQ.NY0303000.WA.TXTNAM/DOE,JOHN.DOB/", ".05."),
    Bad("dob-arabic-digits", "DNQ.NY0303000.WA.TXTNAM/DOE,JOHN.DOB/١٩٨٠٠١٠١", ".05."),
    # .10. a year field invalid or missing (LIY/, the plate's year)
    Bad("liy-2-digits", "RQ.NY0303000.WA.TXTLIC/ABC1.LIY/25", ".10."),
    Bad("liy-empty", "RQ.NY0303000.WA.TXTLIC/ABC1.LIY/.LIT/PC", ".10."),
    Bad("liy-1899", "RQ.NY0303000.WA.TXTLIC/ABC1.LIY/1899", ".10."),
    Bad("liy-letters", "RQ.NY0303000.WA.TXTLIC/ABC1.LIY/20X5", ".10."),
    # .14. fields missing
    Bad("dq-no-fields", "DQ.NY0303000.WA.TXT", ".14."),
    Bad("dq-name-only", "DQ.NY0303000.WA.TXTNAM/DOE,JOHN", ".14."),
    Bad("dq-no-sex", "DQ.NY0303000.WA.TXTNAM/DOE,JOHN.DOB/19800101", ".14."),
    Bad("kq-sex-only", "KQ.NY0303000.WA.TXTSEX/F", ".14."),
    Bad("dnq-no-name", "DNQ.NY0303000.WA.TXTDOB/19800101", ".14."),
    Bad("rq-year-only", "RQ.NY0303000.WA.TXTLIY/2025.LIT/PC", ".14."),
    Bad("rnq-no-name", "RNQ.NY0303000.WA.TXTRSN/S", ".14."),
    Bad("dqg-no-sex", "DQG.NY0303000.RH.TXTNAM/DOE,JOHN.DOB/19800101", ".14."),
    Bad("rqg-no-plate", "RQG.NY0303000.RH.TXTLIY/2026", ".14."),
    Bad("am-empty", "AM.NY0303000.WA.TXT", ".14."),
    Bad("am-blank", "AM.NY0303000.WA.TXT\r\n   ", ".14."),
    # .16. ATN field invalid
    Bad("atn-empty", "KQ.NY0303000.WA.TXTOLN/1.ATN/", ".16."),
    Bad("atn-lower", "KQ.NY0303000.WA.TXTOLN/1.ATN/Sgt Doe", ".16."),
    Bad("atn-31", "KQ.NY0303000.WA.TXTOLN/1.ATN/" + "A" * 31, ".16."),
    Bad("atn-leading-blank", "KQ.NY0303000.WA.TXTATN/ SGT DOE.OLN/1", ".16."),
    Bad("atn-comma", "KQ.NY0303000.WA.TXTOLN/1.ATN/DOE,J", ".16."),
    # .19. invalid destination
    Bad("dest-empty-part", "DQ.NY0303000..TXTOLN/1", ".19."),
    Bad("dest-trailing-comma", "DQ.NY0303000.WA,.TXTOLN/1", ".19."),
    Bad("dest-duplicate", "DQ.NY0303000.WA,OR,WA.TXTOLN/1", ".19."),
    Bad("dest-six", "DQ.NY0303000.WA,OR,ID,MT,CA,NV.TXTOLN/1", ".19."),
    Bad("dest-three-letters", "DQ.NY0303000.WAS.TXTOLN/1", ".19."),
    Bad("dest-lower", "DQ.NY0303000.wa.TXTOLN/1", ".19."),
    Bad("dest-nl-mixed", "DQ.NY0303000.NL,WA.TXTOLN/1", ".19."),
    Bad("dest-switch", "AM.NY0303000.NL0000000.TXTHELLO", ".19."),
    # The third header part is the destinations, even when it is the TXT.
    Bad("no-destination", "DQ.NY0303000.TXTOLN/1", ".19."),
    Bad("dest-is-txt", "DQ.NY0303000.TXTOLN/1.SEX/M", ".19."),
    # .22. invalid message format
    Bad("trailing-dot", "DQ.NY0303000.WA.TXTOLN/1.", ".22."),
    Bad("double-dot", "DQ.NY0303000.WA.TXTOLN/1..SEX/M", ".22."),
    Bad("leading-dot", "DQ.NY0303000.WA.TXT.OLN/1", ".22."),
    Bad("no-slash", "DQ.NY0303000.WA.TXTOLN1", ".22."),
    Bad("duplicate-prefix", "DQ.NY0303000.WA.TXTOLN/1.OLN/2", ".22."),
    Bad("unknown-prefix", "DQ.NY0303000.WA.TXTOLN/1.ABC/2", ".22."),
    Bad("prefix-lower", "DQ.NY0303000.WA.TXToln/1", ".22."),
    Bad("prefix-not-for-key", "DQ.NY0303000.WA.TXTOLN/1.VIN/1HGCM82633A004352", ".22."),
    Bad("imq-on-rq", "RQ.NY0303000.WA.TXTLIC/ABC1.IMQ/Y", ".22."),
    Bad("atn-on-dq", "DQ.NY0303000.WA.TXTOLN/1.ATN/SGT DOE", ".22."),
    # A DQG asks by name, date of birth and sex only (Nlets guide).
    Bad("oln-on-dqg", "DQG.NY0303000.RH.TXTOLN/D1234567", ".22."),
    Bad("imq-on-dqg", "DQG.NY0303000.RH.TXTNAM/DOE,JOHN.DOB/19800101.SEX/M.IMQ/Y", ".22."),
    Bad("dnqg-is-no-key", "DNQG.NY0303000.RH.TXTNAM/DOE,JOHN", ".01."),
    Bad("empty-value", "DQ.NY0303000.WA.TXTOLN/", ".22."),
    Bad("value-lower", "DQ.NY0303000.WA.TXTOLN/d123", ".22."),
    Bad("value-space-in-oln", "DQ.NY0303000.WA.TXTOLN/D 123", ".22."),
    Bad("oln-21", "DQ.NY0303000.WA.TXTOLN/" + "1" * 21, ".22."),
    Bad("nam-no-comma", "DQ.NY0303000.WA.TXTNAM/JOHN DOE.DOB/19800101.SEX/M", ".22."),
    Bad("nam-space-after-comma", "DNQ.NY0303000.WA.TXTNAM/DOE, JOHN", ".22."),
    Bad("nam-digits", "DNQ.NY0303000.WA.TXTNAM/DOE3,JOHN", ".22."),
    Bad("nam-41", "DNQ.NY0303000.WA.TXTNAM/" + "A" * 20 + "," + "B" * 20, ".22."),
    Bad("nam-dot-initial", "DNQ.NY0303000.WA.TXTNAM/DOE,JOHN Q.", ".22."),
    Bad("sex-x", "DQ.NY0303000.WA.TXTNAM/DOE,JOHN.DOB/19800101.SEX/X", ".22."),
    Bad("imq-yes", "DQ.NY0303000.WA.TXTOLN/1.IMQ/YES", ".22."),
    Bad("rsn-unknown", "DQ.NY0303000.WA.TXTOLN/1.RSN/I", ".22."),
    Bad("wrt-underscore", "DQ.NY0303000.WA.TXTOLN/1.WRT/I_200", ".22."),
    Bad("lic-11", "RQ.NY0303000.WA.TXTLIC/ABCDEFGHIJK", ".22."),
    Bad("lit-3", "RQ.NY0303000.WA.TXTLIC/ABC1.LIT/PAS", ".22."),
    Bad("vin-with-o", "RQ.NY0303000.WA.TXTVIN/1HGCM82633AO04352", ".22."),
    Bad("vin-16", "RQ.NY0303000.WA.TXTVIN/1HGCM82633A00435", ".22."),
    Bad("lic-and-vin", "RQ.NY0303000.WA.TXTLIC/ABC1.VIN/1HGCM82633A004352", ".22."),
    Bad("vin-with-liy", "RQ.NY0303000.WA.TXTVIN/1HGCM82633A004352.LIY/2025", ".22."),
    Bad("field-on-second-line", "DQ.NY0303000.WA.TXTOLN/1\nSEX/M", ".22."),
    Bad("fields-after-blank-line", "DQ.NY0303000.WA.TXT\n\nOLN/1", ".22."),
    Bad("am-non-ascii", "AM.NY0303000.WA.TXTCAFÉ", ".22."),
    Bad("am-tab", "AM.NY0303000.WA.TXTA\tB", ".22."),
    Bad("am-too-long", "AM.NY0303000.WA.TXT" + "A" * 4001, ".22."),
]
