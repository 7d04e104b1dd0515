"""Where versions of the policies come from: the hub's folder of files
(`files`) and changes shared through the database (`database`).

All reading and writing is here; the store puts in force what they give it,
and deciding (`snapshot.decide`) touches neither.
"""
