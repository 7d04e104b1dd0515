"""Local agencies by county, as tables for `generate`: over 400 lines because
it is data (one line a county), with no logic to split off.

Synthetic but plausible: real counties and cities, county numbers in the NCIC
style (the county's place in its state's alphabetical list, so King County,
Washington is 017). A plain string names a city whose police department is
`<City> Police Department`; `Named` gives any other agency. Sheriffs tagged
`287g` illustrate 287(g) agreements; they are not a record of who holds one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class Named:
    """A local agency not named `<City> Police Department`."""

    name: str
    type: str = "PD"
    number: int | None = None  # pins the two-digit agency number in the ORI


@dataclass(frozen=True, slots=True)
class County:
    code: int
    name: str
    agencies: tuple[str | Named, ...]
    sheriff: bool
    kind: str | None  # "County", "Parish", "City", "" ...; None: the state's usual
    g287: bool


def county(
    code: int,
    name: str,
    *agencies: str | Named,
    sheriff: bool = True,
    kind: str | None = None,
    g287: bool = False,
) -> County:
    return County(code, name, agencies, sheriff, kind, g287)


def _no_sheriffs(*counties: County) -> tuple[County, ...]:
    # Alaska, Connecticut, Hawaii, Rhode Island and Puerto Rico have no county sheriffs.
    return tuple(County(c.code, c.name, c.agencies, False, c.kind, c.g287) for c in counties)


LOCALS: Mapping[str, tuple[County, ...]] = MappingProxyType(
    {
        "AL": (
            county(37, "Jefferson", "Birmingham"),
            county(49, "Mobile", "Mobile"),
            county(28, "Etowah", g287=True),
        ),
        "AK": _no_sheriffs(
            county(3, "Anchorage", "Anchorage"),
            county(8, "Fairbanks North Star", "Fairbanks", "North Pole"),
            county(11, "Juneau", "Juneau"),
            county(18, "Matanuska-Susitna", "Wasilla"),
        ),
        "AZ": (
            county(7, "Maricopa", "Phoenix", "Mesa"),
            county(10, "Pima", "Tucson"),
            county(11, "Pinal", g287=True),
            county(13, "Yavapai", g287=True),
        ),
        "AR": (
            county(60, "Pulaski", "Little Rock"),
            county(4, "Benton", "Bentonville", g287=True),
            county(72, "Washington"),
        ),
        "CA": (
            county(
                19,
                "Los Angeles",
                "Los Angeles",
                Named("Los Angeles County District Attorney", "CJ"),
            ),
            county(37, "San Diego", "San Diego"),
            county(38, "San Francisco", "San Francisco"),
            county(1, "Alameda", "Oakland"),
            county(13, "Imperial", "Calexico"),
        ),
        "CO": (
            county(16, "Denver", "Denver"),
            county(21, "El Paso", "Colorado Springs"),
            county(3, "Arapahoe", "Aurora"),
        ),
        "CT": _no_sheriffs(
            county(1, "Fairfield", "Bridgeport", "Stamford"),
            county(2, "Hartford", "Hartford"),
            county(5, "New Haven", "New Haven", "Waterbury"),
        ),
        "DE": (
            county(
                2,
                "New Castle",
                "Wilmington",
                Named("New Castle County Police Department"),
                sheriff=False,
            ),
            county(1, "Kent", "Dover"),
            county(3, "Sussex"),
        ),
        "DC": (
            county(
                1,
                "District of Columbia",
                Named("District of Columbia Housing Authority Police Department"),
                Named("Metro Transit Police Department"),
                Named("Protective Services Police Department"),
                Named("District of Columbia Department of Corrections", "CJ"),
                Named("Office of the Attorney General for the District of Columbia", "CJ"),
                sheriff=False,
            ),
        ),
        "FL": (
            county(13, "Miami-Dade", "Miami", g287=True),
            county(6, "Broward", "Fort Lauderdale", g287=True),
            county(48, "Orange", "Orlando", g287=True),
            county(29, "Hillsborough", "Tampa", g287=True),
        ),
        "GA": (
            county(61, "Fulton", "Atlanta"),
            county(26, "Chatham", "Savannah"),
            county(70, "Hall", g287=True),
            county(157, "Whitfield", g287=True),
        ),
        "HI": _no_sheriffs(
            county(1, "Hawaii", "Hawaii"),
            county(
                2,
                "Honolulu",
                "Honolulu",
                Named("Department of the Prosecuting Attorney, City and County of Honolulu", "CJ"),
            ),
            county(4, "Kauai", "Kauai"),
            county(5, "Maui", "Maui"),
        ),
        "ID": (
            county(1, "Ada", "Boise"),
            county(14, "Canyon", "Nampa"),
            county(28, "Kootenai"),
        ),
        "IL": (
            county(
                16,
                "Cook",
                "Chicago",
                "Evanston",
                Named("Cook County State's Attorney's Office", "CJ"),
            ),
            county(22, "DuPage", "Naperville"),
            county(84, "Sangamon", "Springfield"),
        ),
        "IN": (
            county(49, "Marion", Named("Indianapolis Metropolitan Police Department")),
            county(45, "Lake", "Gary"),
            county(2, "Allen"),
        ),
        "IA": (
            county(77, "Polk", "Des Moines"),
            county(57, "Linn", "Cedar Rapids"),
            county(82, "Scott"),
        ),
        "KS": (
            county(87, "Sedgwick", "Wichita"),
            county(46, "Johnson", "Overland Park"),
            county(89, "Shawnee"),
        ),
        "KY": (
            county(56, "Jefferson", Named("Louisville Metro Police Department")),
            county(34, "Fayette", "Lexington"),
            county(114, "Warren"),
        ),
        "LA": (
            county(36, "Orleans", "New Orleans"),
            county(17, "East Baton Rouge", "Baton Rouge"),
            county(9, "Caddo"),
        ),
        "ME": (
            county(3, "Cumberland", "Portland"),
            county(10, "Penobscot", "Bangor"),
            county(1, "Androscoggin"),
        ),
        "MD": (
            county(24, "Baltimore", Named("Baltimore Police Department"), kind="City"),
            county(16, "Montgomery", Named("Montgomery County Police Department")),
            county(11, "Frederick", g287=True),
        ),
        "MA": (
            county(13, "Suffolk", "Boston"),
            county(9, "Middlesex", "Cambridge"),
            county(14, "Worcester", "Worcester"),
            county(12, "Plymouth", "Brockton", g287=True),
        ),
        "MI": (
            county(82, "Wayne", "Detroit", "Dearborn"),
            county(41, "Kent", "Grand Rapids"),
            county(81, "Washtenaw"),
        ),
        "MN": (
            county(27, "Hennepin", "Minneapolis", "Bloomington"),
            county(62, "Ramsey", "Saint Paul"),
            county(69, "St. Louis", "Duluth"),
        ),
        "MS": (
            county(25, "Hinds", "Jackson"),
            county(24, "Harrison", "Gulfport"),
            county(17, "DeSoto"),
        ),
        "MO": (
            county(
                115, "St. Louis", Named("St. Louis Metropolitan Police Department"), kind="City"
            ),
            county(48, "Jackson", "Kansas City"),
            county(39, "Greene"),
        ),
        "MT": (
            county(56, "Yellowstone", "Billings"),
            county(32, "Missoula", "Missoula"),
            county(16, "Gallatin"),
        ),
        "NE": (
            county(28, "Douglas", "Omaha"),
            county(55, "Lancaster", "Lincoln"),
            county(40, "Hall"),
        ),
        "NV": (
            # The Clark County sheriff heads the Las Vegas Metropolitan Police Department.
            county(
                2,
                "Clark",
                Named("Las Vegas Metropolitan Police Department"),
                "Henderson",
                sheriff=False,
            ),
            county(16, "Washoe", "Reno"),
            county(13, "Carson City", kind=""),
        ),
        "NH": (
            county(6, "Hillsborough", "Manchester", "Nashua"),
            county(7, "Merrimack", "Concord"),
        ),
        "NJ": (
            county(7, "Essex", "Newark"),
            county(
                9,
                "Hudson",
                "Jersey City",
                Named("Port Authority of New York and New Jersey Police Department", "LE"),
            ),
            county(4, "Camden", Named("Camden County Police Department")),
        ),
        "NM": (
            county(1, "Bernalillo", "Albuquerque"),
            county(7, "Doña Ana", "Las Cruces"),
            county(25, "Santa Fe"),
        ),
        "NY": (
            # NY0303000, the SPEC's example sender, is the NYPD.
            county(
                30,
                "New York City",
                Named("New York City Police Department", number=30),
                Named("New York County District Attorney's Office", "CJ"),
                kind="",
            ),
            county(28, "Nassau", Named("Nassau County Police Department"), g287=True),
            county(14, "Erie", "Buffalo"),
            county(26, "Monroe", "Rochester"),
        ),
        "NC": (
            county(60, "Mecklenburg", Named("Charlotte-Mecklenburg Police Department")),
            county(92, "Wake", "Raleigh"),
            county(36, "Gaston", g287=True),
            county(13, "Cabarrus", g287=True),
        ),
        "ND": (
            county(9, "Cass", "Fargo"),
            county(8, "Burleigh", "Bismarck"),
            county(18, "Grand Forks"),
        ),
        "OH": (
            county(18, "Cuyahoga", "Cleveland"),
            county(25, "Franklin", "Columbus"),
            county(9, "Butler", g287=True),
        ),
        "OK": (
            county(55, "Oklahoma", "Oklahoma City"),
            county(72, "Tulsa", "Tulsa", g287=True),
            county(14, "Cleveland"),
        ),
        "OR": (
            county(26, "Multnomah", Named("Portland Police Bureau")),
            county(34, "Washington", "Beaverton"),
            county(20, "Lane", "Eugene"),
            county(24, "Marion", "Salem"),
        ),
        "PA": (
            county(
                51,
                "Philadelphia",
                "Philadelphia",
                Named("Philadelphia District Attorney's Office", "CJ"),
                kind="",
            ),
            county(2, "Allegheny", "Pittsburgh"),
            county(22, "Dauphin"),
        ),
        "PR": _no_sheriffs(
            county(65, "San Juan", "San Juan"),
            county(11, "Bayamón", "Bayamón"),
            county(16, "Carolina", "Carolina"),
            county(58, "Ponce", "Ponce"),
            county(50, "Mayagüez", "Mayagüez"),
        ),
        "RI": _no_sheriffs(
            county(4, "Providence", "Providence", "Pawtucket", "Cranston"),
            county(2, "Kent", "Warwick"),
            county(3, "Newport", "Newport"),
        ),
        "SC": (
            county(10, "Charleston", "Charleston", "North Charleston", g287=True),
            county(40, "Richland", "Columbia"),
            county(32, "Lexington", g287=True),
            county(46, "York", g287=True),
        ),
        "SD": (
            county(50, "Minnehaha", "Sioux Falls"),
            county(52, "Pennington", "Rapid City"),
            county(7, "Brown"),
        ),
        "TN": (
            county(79, "Shelby", "Memphis"),
            county(19, "Davidson", Named("Metropolitan Nashville Police Department")),
            county(47, "Knox", "Knoxville", g287=True),
            county(75, "Rutherford", g287=True),
        ),
        "TX": (
            county(101, "Harris", "Houston"),
            county(57, "Dallas", "Dallas"),
            county(15, "Bexar", "San Antonio"),
            county(227, "Travis", "Austin"),
            county(220, "Tarrant", "Fort Worth", g287=True),
            county(71, "El Paso", "El Paso"),
            county(240, "Webb", "Laredo"),
            county(152, "Lubbock", g287=True),
            county(170, "Montgomery", g287=True),
        ),
        "UT": (
            county(18, "Salt Lake", "Salt Lake City"),
            county(25, "Utah", "Provo"),
            county(29, "Weber"),
        ),
        "VT": (
            county(4, "Chittenden", "Burlington", "Williston"),
            county(12, "Washington", "Montpelier"),
        ),
        "VA": (
            county(30, "Fairfax", Named("Fairfax County Police Department")),
            county(54, "Loudoun", g287=True),
            county(122, "Richmond", "Richmond", kind="City"),
        ),
        "WA": (
            county(17, "King", "Seattle", "Bellevue"),
            county(27, "Pierce", "Tacoma"),
            county(31, "Snohomish", "Everett"),
            county(32, "Spokane", "Spokane"),
        ),
        "WV": (
            county(20, "Kanawha", "Charleston"),
            county(6, "Cabell", "Huntington"),
            county(31, "Monongalia"),
        ),
        "WI": (
            county(40, "Milwaukee", "Milwaukee"),
            county(13, "Dane", "Madison"),
            county(67, "Waukesha", g287=True),
        ),
        "WY": (
            county(11, "Laramie", "Cheyenne"),
            county(13, "Natrona", "Casper"),
            county(1, "Albany"),
        ),
    }
)

# Named areas of neighbouring counties, by state and county code; a county
# named in none is a region of its own (its name). Plausible, not official.
REGIONS: Mapping[str, Mapping[int, str]] = MappingProxyType(
    {
        "WA": {17: "Puget Sound", 27: "Puget Sound", 31: "Puget Sound", 32: "Inland Northwest"},
        "OR": {26: "Portland Metro", 34: "Portland Metro", 20: "Willamette Valley",
               24: "Willamette Valley"},
        "CA": {19: "Southern California", 37: "Southern California", 13: "Southern California",
               38: "Bay Area", 1: "Bay Area"},
        "TX": {57: "Dallas-Fort Worth", 220: "Dallas-Fort Worth", 71: "Border",
               240: "Border", 101: "Greater Houston", 170: "Greater Houston",
               15: "Central Texas", 227: "Central Texas"},
        "FL": {13: "South Florida", 6: "South Florida", 48: "Central Florida",
               29: "Tampa Bay"},
        "AZ": {7: "Phoenix Metro", 11: "Phoenix Metro", 10: "Southern Arizona"},
    }
)  # fmt: skip
