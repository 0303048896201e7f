// Expand every event of an iCalendar text (stdin) with ical.js, Mozilla Thunderbird's parser,
// between two instants (argv: ISO 8601), and print the occurrences as JSON:
// [{uid, start, end, status}], start and end in UTC ISO 8601. Used by tests/unit/test_ical_interop.py.
import ICAL from "ical.js";
import { readFileSync } from "node:fs";

const text = readFileSync(0, "utf8");
const [from, to] = process.argv.slice(2).map((iso) => ICAL.Time.fromJSDate(new Date(iso), true));
const calendar = new ICAL.Component(ICAL.parse(text));
for (const zone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(zone);
}
const masters = new Map();
const exceptions = [];
for (const vevent of calendar.getAllSubcomponents("vevent")) {
  if (vevent.hasProperty("recurrence-id")) exceptions.push(vevent);
  else masters.set(vevent.getFirstPropertyValue("uid"), vevent);
}
const utc = (time) => time.toJSDate().toISOString();
const out = [];
for (const [uid, master] of masters) {
  const event = new ICAL.Event(master, {
    exceptions: exceptions.filter((e) => e.getFirstPropertyValue("uid") === uid),
  });
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
