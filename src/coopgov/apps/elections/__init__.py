"""Secret-ballot elections run end to end: timetable, nominations, frozen electorate, online and
paper ballots, count with :mod:`coopgov.counting`, declaration and public result."""
