// Read the VFREEBUSY of an iCalendar text (stdin) with ical.js, Mozilla Thunderbird's parser, and
// print what it understands as JSON: {start, end, periods: [{start, end, fbtype}]}, instants in UTC
// ISO 8601 (a period given with a duration is read to its end). Used by
// tests/integration/bookings/test_feeds_interop_freebusy.py.
import ICAL from "ical.js";
import { readFileSync } from "node:fs";

const calendar = new ICAL.Component(ICAL.parse(readFileSync(0, "utf8")));
const [freebusy] = calendar.getAllSubcomponents("vfreebusy");
const utc = (time) => time.toJSDate().toISOString();
const periods = [];
for (const property of freebusy.getAllProperties("freebusy")) {
  const fbtype = property.getParameter("fbtype") ?? "BUSY";
  for (const period of property.getValues()) {
    periods.push({ start: utc(period.start), end: utc(period.getEnd()), fbtype });
  }
}
process.stdout.write(
  JSON.stringify({
    start: utc(freebusy.getFirstPropertyValue("dtstart")),
    end: utc(freebusy.getFirstPropertyValue("dtend")),
    periods,
  }),
);
