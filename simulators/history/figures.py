"""The figures a history is shaped by: the public ones with their source
(SPEC.md), and the assumed ones, named as assumptions."""

ANNUAL_QUERIES = 290_000_000
# Public (SPEC.md): ICE (ERO, with the LESC at VTICE0900) and HSI.
# Assumed: the other federal components' yearly queries.
FEDERAL_QUERIES = {
    "ICE-ERO": 292_114,
    "ICE-HSI": 605_116,
    "CBP": 1_150_000,
    "FBI": 2_400_000,
    "USMS": 900_000,
    "DEA": 450_000,
    "ATF": 350_000,
    "USSS": 200_000,
}
REQUIRED = ("ICE-ERO", "ICE-HSI")
LOCAL = "state-local"
LESC = "VTICE0900"
LESC_SHARE = 0.5  # of ICE-ERO's queries: the LESC answers for field officers
IN_STATE = 0.88  # of state and local queries
FEDERAL_OWN_STATE = 0.25  # of a field office's queries: its own state
KEYS = {"DQ": 46, "RQ": 38, "KQ": 6, "DNQ": 6, "RNQ": 4}
REASONS = {"none": 88, "T": 4, "S": 2, "N": 2, "V": 1.5, "F": 1.5, "H": 1}
IMAGE_SHARE = 0.12  # of DQ, DNQ and KQ
# Warrant levels on federal queries; state and local queries cite none.
IMMIGRATION_WARRANTS = {"none": 96.5, "administrative": 2, "judicial": 1, "cited": 0.5}
FEDERAL_WARRANTS = {"none": 98, "judicial": 1.5, "cited": 0.5}
# A US working day seen in UTC, and a quieter weekend.
HOUR_WEIGHTS = (5, 4, 3, 2.5, 2, 2, 2, 2, 2.5, 3, 4, 5, 6, 7, 8, 8.5, 9, 9, 9, 8.5, 8, 7.5, 7, 6)
WEEKDAY_WEIGHTS = (1.0, 1.02, 1.03, 1.02, 1.05, 0.75, 0.6)
# Residents, millions (2020 census, rounded): where queries go and come from.
POPULATION = {
    "AL": 5.0, "AK": 0.73, "AZ": 7.2, "AR": 3.0, "CA": 39.0, "CO": 5.8, "CT": 3.6,
    "DE": 1.0, "DC": 0.68, "FL": 22.6, "GA": 11.0, "HI": 1.4, "ID": 1.9, "IL": 12.5,
    "IN": 6.8, "IA": 3.2, "KS": 2.9, "KY": 4.5, "LA": 4.6, "ME": 1.4, "MD": 6.2,
    "MA": 7.0, "MI": 10.0, "MN": 5.7, "MS": 2.9, "MO": 6.2, "MT": 1.1, "NE": 2.0,
    "NV": 3.2, "NH": 1.4, "NJ": 9.3, "NM": 2.1, "NY": 19.6, "NC": 10.8, "ND": 0.78,
    "OH": 11.8, "OK": 4.0, "OR": 4.2, "PA": 13.0, "PR": 3.2, "RI": 1.1, "SC": 5.4,
    "SD": 0.92, "TN": 7.1, "TX": 30.5, "UT": 3.4, "VT": 0.65, "VA": 8.7, "WA": 7.8,
    "WV": 1.8, "WI": 5.9, "WY": 0.58,
}  # fmt: skip
# Agencies that query DMVs, and how much more the state police does.
LOCAL_TYPE_WEIGHTS = {"SA": 3.0, "PD": 1.0, "SO": 1.0, "CJ": 0.3, "LE": 0.3}
