// Parse an iCalendar document with ical.js (Thunderbird's parser) and print its events as JSON,
// with their start and end as UTC instants. Usage: node parse_ics.mjs FILE (or "-" for stdin).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const ICAL = (await import(join(here, "..", "node", "node_modules", "ical.js", "dist", "ical.js"))).default;

const source = process.argv[2] && process.argv[2] !== "-" ? process.argv[2] : 0;
const text = readFileSync(source, "utf8");
const calendar = new ICAL.Component(ICAL.parse(text));

// Like Thunderbird: the calendar's VTIMEZONEs define its TZIDs.
const timezones = calendar.getAllSubcomponents("vtimezone").map((vtz) => {
  const tz = new ICAL.Timezone(vtz);
  ICAL.TimezoneService.register(tz, tz.tzid);
  return tz.tzid;
});

const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  const start = event.startDate;
  return {
    uid: event.uid,
    summary: event.summary,
    status: vevent.getFirstPropertyValue("status"),
    sequence: event.sequence,
    start_utc: start.toJSDate().toISOString(),
    end_utc: event.endDate.toJSDate().toISOString(),
    tzid: start.zone ? start.zone.tzid : null,
    floating: start.zone === ICAL.Timezone.localTimezone,
    location: event.location,
    description: event.description,
    url: vevent.getFirstPropertyValue("url"),
    dtstamp: vevent.getFirstPropertyValue("dtstamp").toJSDate().toISOString(),
  };
});

const props = {};
for (const name of ["version", "prodid", "calscale", "method", "x-wr-calname", "name",
  "refresh-interval", "x-published-ttl"]) {
  const value = calendar.getFirstPropertyValue(name);
  props[name] = value === null ? null : value.toString();
}
process.stdout.write(JSON.stringify({ calendar: props, timezones, events }));
