// Expand every event of an iCalendar text (stdin) with ical.js, Mozilla Thunderbird's parser,
// between two instants (argv: ISO 8601), and print the occurrences as JSON:
// [{uid, start, end, status}], start and end in UTC ISO 8601. Used by tests/unit/test_ical_interop.py
// and the feeds' interop tests (tests/integration/events/, tests/integration/bookings/).
import ICAL from "ical.js";
import { readFileSync } from "node:fs";

const text = readFileSync(0, "utf8");
const [from, to] = process.argv.slice(2).map((iso) => ICAL.Time.fromJSDate(new Date(iso), true));
// Several calendars one after the other (e-mailed invitations, read in one run) are read as one.
const parsed = ICAL.parse(text);
const calendars = (Array.isArray(parsed[0]) ? parsed : [parsed]).map((jcal) => new ICAL.Component(jcal));
for (const zone of calendars.flatMap((calendar) => calendar.getAllSubcomponents("vtimezone"))) {
  ICAL.TimezoneService.register(zone);
}
// Without `exceptions`, `new ICAL.Event(vevent)` relates every VEVENT of the calendar that has a
// RECURRENCE-ID to that master, whatever its UID: overrides are related here by UID instead.
const masters = new Map();
const exceptions = new Map();
for (const vevent of calendars.flatMap((calendar) => calendar.getAllSubcomponents("vevent"))) {
  const uid = vevent.getFirstPropertyValue("uid");
  if (vevent.hasProperty("recurrence-id")) exceptions.set(uid, [...(exceptions.get(uid) || []), vevent]);
  else masters.set(uid, vevent);
}
const utc = (time) => time.toJSDate().toISOString();
const out = [];
for (const [uid, master] of masters) {
  const event = new ICAL.Event(master, { exceptions: [], strictExceptions: true });
  for (const exception of exceptions.get(uid) || []) event.relateException(exception);
  const keep = (start, end, component) => {
    if (start.compare(to) < 0 && end.compare(from) > 0) {
      out.push({ uid, start: utc(start), end: utc(end), status: component.getFirstPropertyValue("status") || "" });
    }
  };
  if (!event.isRecurring()) {
    keep(event.startDate, event.endDate, master);
    continue;
  }
  const iterator = event.iterator();
  for (let next = iterator.next(), n = 0; next && n < 5000; next = iterator.next(), n++) {
    const details = event.getOccurrenceDetails(next);
    if (next.compare(to) >= 0 && details.startDate.compare(to) >= 0) break;
    keep(details.startDate, details.endDate, details.item.component);
  }
}
out.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.uid < b.uid ? -1 : 1));
process.stdout.write(JSON.stringify(out));
