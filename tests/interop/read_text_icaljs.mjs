// Read the text of many calendars with ical.js (Mozilla Thunderbird's parser), in one node run:
// stdin is a JSON array of iCalendar texts; stdout a JSON array, one entry per calendar:
// {name, events: [{uid, summary, description, location, categories, organizer, attendees}]}
// or {error} when ical.js refuses it. Used by tests/unit/core/test_text_in_calendars.py and
// tests/integration/site/test_text_in_calendars.py.
import ICAL from "ical.js";
import { readFileSync } from "node:fs";

const read = (text) => {
  const calendar = new ICAL.Component(ICAL.parse(text));
  // Overrides are related to their master by UID: without `exceptions`, `new ICAL.Event(vevent)`
  // would relate every VEVENT with a RECURRENCE-ID in the calendar to it, whatever its UID.
  const vevents = calendar.getAllSubcomponents("vevent");
  const exceptions = new Map();
  for (const vevent of vevents.filter((v) => v.hasProperty("recurrence-id"))) {
    const uid = vevent.getFirstPropertyValue("uid");
    exceptions.set(uid, [...(exceptions.get(uid) || []), vevent]);
  }
  const events = [];
  for (const vevent of vevents) {
    const event = new ICAL.Event(vevent, { exceptions: [], strictExceptions: true });
    if (!vevent.hasProperty("recurrence-id")) {
      for (const exception of exceptions.get(event.uid) || []) event.relateException(exception);
    }
    const organizer = vevent.getFirstProperty("organizer");
    events.push({
      uid: event.uid,
      summary: event.summary ?? "",
      description: event.description ?? "",
      location: event.location ?? "",
      categories: vevent.getAllProperties("categories").flatMap((p) => p.getValues()),
      organizer: organizer ? organizer.getParameter("cn") ?? "" : "",
      attendees: event.attendees.map((a) => a.getParameter("cn") ?? ""),
      start: event.startDate.toJSDate().toISOString(),
    });
  }
  return { name: calendar.getFirstPropertyValue("name") ?? "", events };
};

const out = JSON.parse(readFileSync(0, "utf8")).map((text) => {
  try {
    return read(text);
  } catch (error) {
    return { error: String(error) };
  }
});
process.stdout.write(JSON.stringify(out));
