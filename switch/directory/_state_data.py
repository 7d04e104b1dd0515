"""Each jurisdiction's DMV and state police, as tables for `generate`.

The DMV is the agency that answers licence and registration queries (the real
agency's name where it is well known). The state police is the state's control
terminal here; its ORI is the state, the agency's initials, then zeros.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

# state -> (DMV name, state police initials, state police name)
STATE_AGENCIES: Mapping[str, tuple[str, str, str]] = MappingProxyType(
    {
        "AL": (
            "Alabama Law Enforcement Agency, Driver License Division",
            "ALEA",
            "Alabama Law Enforcement Agency, Highway Patrol Division",
        ),
        "AK": ("Alaska Division of Motor Vehicles", "AST", "Alaska State Troopers"),
        "AZ": (
            "Arizona Department of Transportation, Motor Vehicle Division",
            "DPS",
            "Arizona Department of Public Safety",
        ),
        "AR": (
            "Arkansas Department of Finance and Administration, Office of Driver Services",
            "ASP",
            "Arkansas State Police",
        ),
        "CA": ("California Department of Motor Vehicles", "CHP", "California Highway Patrol"),
        "CO": ("Colorado Division of Motor Vehicles", "CSP", "Colorado State Patrol"),
        "CT": ("Connecticut Department of Motor Vehicles", "CSP", "Connecticut State Police"),
        "DE": ("Delaware Division of Motor Vehicles", "DSP", "Delaware State Police"),
        # DC has no state police: the Metropolitan Police Department runs its terminal.
        "DC": (
            "District of Columbia Department of Motor Vehicles",
            "MPD",
            "Metropolitan Police Department of the District of Columbia",
        ),
        "FL": (
            "Florida Department of Highway Safety and Motor Vehicles",
            "FHP",
            "Florida Highway Patrol",
        ),
        "GA": ("Georgia Department of Driver Services", "GSP", "Georgia State Patrol"),
        "HI": (
            "Hawaii Department of Transportation, Motor Vehicle Safety Office",
            "DLE",
            "Hawaii Department of Law Enforcement",
        ),
        "ID": (
            "Idaho Transportation Department, Division of Motor Vehicles",
            "ISP",
            "Idaho State Police",
        ),
        "IL": (
            "Illinois Secretary of State, Driver Services Department",
            "ISP",
            "Illinois State Police",
        ),
        "IN": ("Indiana Bureau of Motor Vehicles", "ISP", "Indiana State Police"),
        "IA": (
            "Iowa Department of Transportation, Motor Vehicle Division",
            "ISP",
            "Iowa State Patrol",
        ),
        "KS": (
            "Kansas Department of Revenue, Division of Vehicles",
            "KHP",
            "Kansas Highway Patrol",
        ),
        "KY": (
            "Kentucky Transportation Cabinet, Department of Vehicle Regulation",
            "KSP",
            "Kentucky State Police",
        ),
        "LA": ("Louisiana Office of Motor Vehicles", "LSP", "Louisiana State Police"),
        "ME": ("Maine Bureau of Motor Vehicles", "MSP", "Maine State Police"),
        "MD": ("Maryland Motor Vehicle Administration", "MSP", "Maryland State Police"),
        "MA": ("Massachusetts Registry of Motor Vehicles", "MSP", "Massachusetts State Police"),
        "MI": ("Michigan Department of State", "MSP", "Michigan State Police"),
        "MN": ("Minnesota Driver and Vehicle Services", "MSP", "Minnesota State Patrol"),
        "MS": (
            "Mississippi Department of Public Safety, Driver Service Bureau",
            "MHP",
            "Mississippi Highway Patrol",
        ),
        "MO": (
            "Missouri Department of Revenue, Motor Vehicle and Driver Licensing",
            "MSHP",
            "Missouri State Highway Patrol",
        ),
        "MT": ("Montana Motor Vehicle Division", "MHP", "Montana Highway Patrol"),
        "NE": ("Nebraska Department of Motor Vehicles", "NSP", "Nebraska State Patrol"),
        "NV": ("Nevada Department of Motor Vehicles", "NHP", "Nevada Highway Patrol"),
        "NH": ("New Hampshire Division of Motor Vehicles", "NHSP", "New Hampshire State Police"),
        "NJ": ("New Jersey Motor Vehicle Commission", "NJSP", "New Jersey State Police"),
        "NM": ("New Mexico Motor Vehicle Division", "NMSP", "New Mexico State Police"),
        "NY": ("New York State Department of Motor Vehicles", "NYSP", "New York State Police"),
        "NC": (
            "North Carolina Division of Motor Vehicles",
            "SHP",
            "North Carolina State Highway Patrol",
        ),
        "ND": (
            "North Dakota Department of Transportation, Driver License Division",
            "NDHP",
            "North Dakota Highway Patrol",
        ),
        "OH": ("Ohio Bureau of Motor Vehicles", "OSHP", "Ohio State Highway Patrol"),
        "OK": ("Service Oklahoma", "OHP", "Oklahoma Highway Patrol"),
        "OR": ("Oregon Driver and Motor Vehicle Services", "OSP", "Oregon State Police"),
        "PA": (
            "Pennsylvania Department of Transportation, Driver and Vehicle Services",
            "PSP",
            "Pennsylvania State Police",
        ),
        "PR": (
            "Puerto Rico Department of Transportation and Public Works, Directorate of"
            " Motor Vehicles",
            "NPPR",
            "Puerto Rico Police Bureau",
        ),
        "RI": ("Rhode Island Division of Motor Vehicles", "RISP", "Rhode Island State Police"),
        "SC": (
            "South Carolina Department of Motor Vehicles",
            "SCHP",
            "South Carolina Highway Patrol",
        ),
        "SD": (
            "South Dakota Department of Public Safety, Driver Licensing Program",
            "SDHP",
            "South Dakota Highway Patrol",
        ),
        "TN": (
            "Tennessee Department of Safety and Homeland Security, Driver Services Division",
            "THP",
            "Tennessee Highway Patrol",
        ),
        "TX": (
            "Texas Department of Public Safety, Driver License Division",
            "DPS",
            "Texas Department of Public Safety, Highway Patrol Division",
        ),
        "UT": ("Utah Driver License Division", "UHP", "Utah Highway Patrol"),
        "VT": ("Vermont Department of Motor Vehicles", "VSP", "Vermont State Police"),
        "VA": ("Virginia Department of Motor Vehicles", "VSP", "Virginia State Police"),
        "WA": ("Washington Department of Licensing", "WSP", "Washington State Patrol"),
        "WV": ("West Virginia Division of Motor Vehicles", "WVSP", "West Virginia State Police"),
        "WI": (
            "Wisconsin Department of Transportation, Division of Motor Vehicles",
            "WSP",
            "Wisconsin State Patrol",
        ),
        "WY": (
            "Wyoming Department of Transportation, Driver Services",
            "WHP",
            "Wyoming Highway Patrol",
        ),
    }
)
