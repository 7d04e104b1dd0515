"""Federal offices, as tables for `generate`.

The cities are the components' real field offices (for USMS and USSS a
selection); the ORIs are synthetic: `<ST><code><nn>00`, where ST is the state
the office sits in, `code` the component's three letters below and `nn` counts
that component's offices in that state in table order, from 01.
"""

from __future__ import annotations

from dataclasses import dataclass

from switch.directory.model import Agency


@dataclass(frozen=True, slots=True)
class OfficeList:
    component: str
    department: str
    code: str  # the three letters after the state in the ORI
    name: str  # `{}` is the office's city, division or district
    offices: tuple[tuple[str, str], ...]  # (state, city)
    tags: tuple[str, ...] = ()


# ICE's Law Enforcement Support Center answers status queries for ERO; it
# carries component ICE-ERO (and the tag `lesc`) so that a rule naming ICE-ERO
# covers it too. Its ORI is the one Nlets publishes, outside the scheme's count.
LESC = Agency(
    ori="VTICE0900",
    name="ICE Law Enforcement Support Center",
    state="VT",
    type="FE",
    department="DHS",
    component="ICE-ERO",
    tags=("lesc",),
)

_ERO_FIELD_OFFICES = (
    ("GA", "Atlanta"), ("MD", "Baltimore"), ("MA", "Boston"), ("NY", "Buffalo"),
    ("IL", "Chicago"), ("TX", "Dallas"), ("CO", "Denver"), ("MI", "Detroit"),
    ("TX", "El Paso"), ("TX", "Harlingen"), ("TX", "Houston"), ("CA", "Los Angeles"),
    ("FL", "Miami"), ("NJ", "Newark"), ("LA", "New Orleans"), ("NY", "New York City"),
    ("PA", "Philadelphia"), ("AZ", "Phoenix"), ("UT", "Salt Lake City"),
    ("TX", "San Antonio"), ("CA", "San Diego"), ("CA", "San Francisco"), ("WA", "Seattle"),
    ("MN", "St. Paul"), ("VA", "Washington"),
)  # fmt: skip

_HSI_SAC_OFFICES = (
    ("GA", "Atlanta"), ("MD", "Baltimore"), ("MA", "Boston"), ("NY", "Buffalo"),
    ("NC", "Charlotte"), ("IL", "Chicago"), ("TX", "Dallas"), ("CO", "Denver"),
    ("MI", "Detroit"), ("TX", "El Paso"), ("HI", "Honolulu"), ("TX", "Houston"),
    ("CA", "Los Angeles"), ("FL", "Miami"), ("TN", "Nashville"), ("NJ", "Newark"),
    ("LA", "New Orleans"), ("NY", "New York"), ("PA", "Philadelphia"), ("AZ", "Phoenix"),
    ("TX", "San Antonio"), ("CA", "San Diego"), ("CA", "San Francisco"), ("PR", "San Juan"),
    ("WA", "Seattle"), ("MN", "St. Paul"), ("FL", "Tampa"), ("DC", "Washington"),
)  # fmt: skip

_CBP_FIELD_OFFICES = (
    ("GA", "Atlanta"), ("MD", "Baltimore"), ("MA", "Boston"), ("NY", "Buffalo"),
    ("IL", "Chicago"), ("MI", "Detroit"), ("TX", "El Paso"), ("TX", "Houston"),
    ("TX", "Laredo"), ("CA", "Los Angeles"), ("FL", "Miami"), ("LA", "New Orleans"),
    ("NY", "New York"), ("OR", "Portland"), ("CA", "San Diego"), ("CA", "San Francisco"),
    ("PR", "San Juan"), ("WA", "Seattle"), ("FL", "Tampa"), ("AZ", "Tucson"),
)  # fmt: skip

_BORDER_PATROL_SECTORS = (
    ("CA", "San Diego"), ("CA", "El Centro"), ("AZ", "Yuma"), ("AZ", "Tucson"),
    ("TX", "El Paso"), ("TX", "Big Bend"), ("TX", "Del Rio"), ("TX", "Laredo"),
    ("TX", "Rio Grande Valley"), ("WA", "Blaine"), ("WA", "Spokane"), ("MT", "Havre"),
    ("ND", "Grand Forks"), ("MI", "Detroit"), ("NY", "Buffalo"), ("VT", "Swanton"),
    ("ME", "Houlton"), ("FL", "Miami"), ("LA", "New Orleans"), ("PR", "Ramey"),
)  # fmt: skip

_FBI_FIELD_OFFICES = (
    ("NY", "Albany"), ("NM", "Albuquerque"), ("AK", "Anchorage"), ("GA", "Atlanta"),
    ("MD", "Baltimore"), ("AL", "Birmingham"), ("MA", "Boston"), ("NY", "Buffalo"),
    ("NC", "Charlotte"), ("IL", "Chicago"), ("OH", "Cincinnati"), ("OH", "Cleveland"),
    ("SC", "Columbia"), ("TX", "Dallas"), ("CO", "Denver"), ("MI", "Detroit"),
    ("TX", "El Paso"), ("HI", "Honolulu"), ("TX", "Houston"), ("IN", "Indianapolis"),
    ("MS", "Jackson"), ("FL", "Jacksonville"), ("MO", "Kansas City"), ("TN", "Knoxville"),
    ("NV", "Las Vegas"), ("AR", "Little Rock"), ("CA", "Los Angeles"), ("KY", "Louisville"),
    ("TN", "Memphis"), ("FL", "Miami"), ("WI", "Milwaukee"), ("MN", "Minneapolis"),
    ("AL", "Mobile"), ("CT", "New Haven"), ("LA", "New Orleans"), ("NY", "New York"),
    ("NJ", "Newark"), ("VA", "Norfolk"), ("OK", "Oklahoma City"), ("NE", "Omaha"),
    ("PA", "Philadelphia"), ("AZ", "Phoenix"), ("PA", "Pittsburgh"), ("OR", "Portland"),
    ("VA", "Richmond"), ("CA", "Sacramento"), ("UT", "Salt Lake City"),
    ("TX", "San Antonio"), ("CA", "San Diego"), ("CA", "San Francisco"), ("PR", "San Juan"),
    ("WA", "Seattle"), ("IL", "Springfield"), ("MO", "St. Louis"), ("FL", "Tampa"),
    ("DC", "Washington"),
)  # fmt: skip

_USMS_DISTRICTS = (
    ("WA", "Western District of Washington"), ("WA", "Eastern District of Washington"),
    ("OR", "District of Oregon"), ("IL", "Northern District of Illinois"),
    ("MA", "District of Massachusetts"), ("MN", "District of Minnesota"),
    ("NY", "Southern District of New York"), ("NY", "Eastern District of New York"),
    ("CA", "Central District of California"), ("CA", "Southern District of California"),
    ("TX", "Southern District of Texas"), ("TX", "Western District of Texas"),
    ("FL", "Southern District of Florida"), ("AZ", "District of Arizona"),
    ("DC", "District of Columbia"), ("PR", "District of Puerto Rico"),
    ("VI", "District of the Virgin Islands"), ("GU", "District of Guam"),
)  # fmt: skip

_DEA_DIVISIONS = (
    ("GA", "Atlanta"), ("PR", "Caribbean"), ("IL", "Chicago"), ("TX", "Dallas"),
    ("MI", "Detroit"), ("TX", "El Paso"), ("TX", "Houston"), ("CA", "Los Angeles"),
    ("KY", "Louisville"), ("FL", "Miami"), ("MA", "New England"), ("NJ", "New Jersey"),
    ("LA", "New Orleans"), ("NY", "New York"), ("NE", "Omaha"), ("PA", "Philadelphia"),
    ("AZ", "Phoenix"), ("CO", "Rocky Mountain"), ("CA", "San Diego"),
    ("CA", "San Francisco"), ("WA", "Seattle"), ("MO", "St. Louis"), ("DC", "Washington"),
)  # fmt: skip

_ATF_FIELD_DIVISIONS = (
    ("GA", "Atlanta"), ("MD", "Baltimore"), ("MA", "Boston"), ("NC", "Charlotte"),
    ("IL", "Chicago"), ("OH", "Columbus"), ("TX", "Dallas"), ("CO", "Denver"),
    ("MI", "Detroit"), ("TX", "Houston"), ("MO", "Kansas City"), ("CA", "Los Angeles"),
    ("KY", "Louisville"), ("FL", "Miami"), ("TN", "Nashville"), ("LA", "New Orleans"),
    ("NY", "New York"), ("NJ", "Newark"), ("PA", "Philadelphia"), ("AZ", "Phoenix"),
    ("CA", "San Francisco"), ("WA", "Seattle"), ("MN", "St. Paul"), ("FL", "Tampa"),
    ("DC", "Washington"),
)  # fmt: skip

_USSS_FIELD_OFFICES = (
    ("GA", "Atlanta"), ("MD", "Baltimore"), ("MA", "Boston"), ("IL", "Chicago"),
    ("TX", "Dallas"), ("CO", "Denver"), ("MI", "Detroit"), ("TX", "Houston"),
    ("CA", "Los Angeles"), ("FL", "Miami"), ("MN", "Minneapolis"), ("NY", "New York"),
    ("NJ", "Newark"), ("PA", "Philadelphia"), ("AZ", "Phoenix"), ("OR", "Portland"),
    ("CA", "San Francisco"), ("PR", "San Juan"), ("WA", "Seattle"), ("DC", "Washington"),
)  # fmt: skip

OFFICE_LISTS: tuple[OfficeList, ...] = (
    OfficeList(
        "ICE-ERO", "DHS", "ICE", "ICE ERO {} Field Office", _ERO_FIELD_OFFICES, ("field-office",)
    ),
    # Sub-offices of the Seattle field office, in the states that block ICE or mean to.
    OfficeList(
        "ICE-ERO",
        "DHS",
        "ICE",
        "ICE ERO {} Sub-Office",
        (("WA", "Tacoma"), ("OR", "Portland")),
        ("sub-office",),
    ),
    OfficeList("ICE-HSI", "DHS", "HSI", "HSI Special Agent in Charge {}", _HSI_SAC_OFFICES),
    OfficeList(
        "ICE-HSI",
        "DHS",
        "HSI",
        "HSI Resident Agent in Charge {}",
        (("OR", "Portland"), ("NY", "Albany")),
        ("resident-office",),
    ),
    OfficeList(
        "CBP",
        "DHS",
        "CBP",
        "CBP Office of Field Operations, {} Field Office",
        _CBP_FIELD_OFFICES,
        ("field-operations",),
    ),
    OfficeList(
        "CBP",
        "DHS",
        "BPS",
        "U.S. Border Patrol {} Sector",
        _BORDER_PATROL_SECTORS,
        ("border-patrol",),
    ),
    OfficeList("USSS", "DHS", "USS", "U.S. Secret Service {} Field Office", _USSS_FIELD_OFFICES),
    OfficeList("FBI", "DOJ", "FBI", "FBI {} Field Office", _FBI_FIELD_OFFICES),
    OfficeList("USMS", "DOJ", "USM", "U.S. Marshals Service, {}", _USMS_DISTRICTS),
    OfficeList("DEA", "DOJ", "DEA", "DEA {} Division", _DEA_DIVISIONS),
    OfficeList("ATF", "DOJ", "ATF", "ATF {} Field Division", _ATF_FIELD_DIVISIONS),
)
