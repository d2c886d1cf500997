/**
 * Bad cron expressions: each rule of the grammar has a test for the error it gives. Invalid
 * inputs marked with a source are also rejected by that library's test suite.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cronTrigger, parseCron } from "../../../src/core/triggers/index.js";
import { throwsInvalid } from "./helpers.js";

describe("cron parser: error messages name the field, its position, the value and the range", () => {
  it("reports a minute out of range with the exact formula", () => {
    throwsInvalid(
      () => cronTrigger("60 * * * *"),
      "cron",
      'Expected the minute field (1st) to be 0-59, got "60" in "60 * * * *"',
    );
  });

  it("counts positions from the seconds field in six-field expressions", () => {
    throwsInvalid(
      () => cronTrigger("0 60 * * * *"),
      "cron",
      'Expected the minute field (2nd) to be 0-59, got "60" in "0 60 * * * *"',
    );
    throwsInvalid(
      () => cronTrigger("61 * * * * *"),
      "cron",
      'Expected the second field (1st) to be 0-59, got "61" in "61 * * * * *"',
    );
  });

  const outOfRange: Array<[string, RegExp, string?]> = [
    ["* 24 * * *", /the hour field \(2nd\) to be 0-23, got "24"/],
    ["* 70 * * *", /the hour field \(2nd\) to be 0-23, got "70"/, "cron-parser CronExpressionParser.test.ts"],
    [
      "65 * * * *",
      /the minute field \(1st\) to be 0-59, got "65"/,
      "cron-parser CronExpressionParser.test.ts",
    ],
    [
      "0 0 32 * *",
      /the day-of-month field \(3rd\) to be 1-31, got "32"/,
      "cron-parser CronExpressionParser.test.ts",
    ],
    ["0 0 0 * *", /the day-of-month field \(3rd\) to be 1-31, got "0"/],
    [
      "* * * 14 *",
      /the month field \(4th\) to be 1-12 or JAN-DEC, got "14"/,
      "cron-parser CronExpressionParser.test.ts",
    ],
    ["* * * 0 *", /the month field \(4th\) to be 1-12 or JAN-DEC, got "0"/],
    [
      "* * * * 8",
      /the day-of-week field \(5th\) to be 0-7 or SUN-SAT/,
      "cron-parser CronExpressionParser.test.ts",
    ],
    [
      "* 0-24 * * *",
      /the hour field \(2nd\) to be 0-23, got "24"/,
      "APScheduler test_invalid_ranges (hour 0-24)",
    ],
    [
      "* * 0-3 * *",
      /the day-of-month field \(3rd\) to be 1-31, got "0"/,
      "APScheduler test_invalid_ranges (day 0-3)",
    ],
    ["* * * * 0-8", /got "8"/, "APScheduler test_invalid_weekday_number"],
    ["-90 * * * *", /the minute field \(1st\) to be 0-59, got "-90"/, "croniter testError"],
    ["0-10000000 * * * *", /got "10000000"/, "croniter test_overflow"],
  ];
  for (const [expr, message, source] of outOfRange) {
    it(`rejects the out-of-range value in ${expr}${source ? ` (${source})` : ""}`, () => {
      throwsInvalid(() => cronTrigger(expr), "cron", message);
    });
  }

  it("rejects unknown names and names in the wrong field", () => {
    // croniter testError '* * * janu-jun *'; APScheduler test_invalid_month_name 'fab', 'jan-fab'
    throwsInvalid(
      () => cronTrigger("* * * janu-jun *"),
      "cron",
      /month field \(4th\) to be 1-12 or JAN-DEC, got "janu"/,
    );
    throwsInvalid(() => cronTrigger("* * * fab *"), "cron", /got "fab"/);
    throwsInvalid(() => cronTrigger("* * * jan-fab *"), "cron", /got "fab"/);
    // APScheduler test_invalid_weekday_name 'web', 'mon-web'; cron-parser 'SUNDAY'
    throwsInvalid(() => cronTrigger("* * * * web"), "cron", /day-of-week field \(5th\) to be 0-7 or SUN-SAT/);
    throwsInvalid(() => cronTrigger("* * * * mon-web"), "cron", /got "web"/);
    throwsInvalid(() => cronTrigger("0 0 1 JAN SUNDAY"), "cron", /got "SUNDAY"/);
    throwsInvalid(() => cronTrigger("* MON * * *"), "cron", /hour field \(2nd\) to be 0-23, got "MON"/);
    throwsInvalid(() => cronTrigger("a * * * *"), "cron", /minute field \(1st\) to be 0-59, got "a"/);
  });

  it("rejects a range that runs from high to low", () => {
    // croniter testError '* * 5-1 * *'; APScheduler test_invalid_range
    throwsInvalid(
      () => cronTrigger("* * 5-1 * *"),
      "cron",
      'Expected a range in the day-of-month field (3rd) to be a range from low to high within 1-31, got "5-1" in "* * 5-1 * *"',
    );
  });

  it("rejects a step of zero, a step larger than the field and a missing step", () => {
    // croniter test_invalid_zerorepeat '*/0'; APScheduler test_invalid_step; cron-parser '*/8' in day of week
    throwsInvalid(
      () => cronTrigger("*/0 * * * *"),
      "cron",
      'Expected the step in the minute field (1st) to be 1-60, got "0" in "*/0 * * * *"',
    );
    throwsInvalid(
      () => cronTrigger("0 0 * * */8"),
      "cron",
      /step in the day-of-week field \(5th\) to be 1-7, got "8"/,
    );
    throwsInvalid(
      () => cronTrigger("0-10/ * * * *"),
      "cron",
      /step in the minute field \(1st\) to be 1-60, got ""/,
    );
    throwsInvalid(() => cronTrigger("*/x * * * *"), "cron", /got "x"/);
  });

  it("rejects characters that are not part of the grammar", () => {
    // croniter testError '1-1_0 * * * *' and '0-1& * * * *'
    throwsInvalid(() => cronTrigger("1-1_0 * * * *"), "cron", /minute field \(1st\)/);
    throwsInvalid(() => cronTrigger("0-1& * * * *"), "cron", /got "1&"/);
    throwsInvalid(() => cronTrigger("1.5 * * * *"), "cron", /got "1.5"/);
  });

  it("rejects empty list items", () => {
    throwsInvalid(() => cronTrigger("1,,2 * * * *"), "cron", /without empty list items, got "1,,2"/);
    throwsInvalid(() => cronTrigger("1, * * * *"), "cron", /got "1,"/);
  });

  it("rejects a wrong number of fields, and says that a year field is not supported", () => {
    // croniter testError '* * * *' and test_error_bad_cron '* * * * * * *'
    throwsInvalid(
      () => cronTrigger("* * * *"),
      "cron",
      'Expected 5 fields (minute hour day-of-month month day-of-week) or 6 (with seconds first), got 4 in "* * * *"',
    );
    throwsInvalid(
      () => cronTrigger("* * * * * * *"),
      "cron",
      /got 7 in "\* \* \* \* \* \* \*" \(a year field is not supported\)/,
    );
    throwsInvalid(() => cronTrigger("0 * *"), "cron", /got 3/);
  });

  it("rejects an empty expression and a non-string", () => {
    throwsInvalid(() => cronTrigger(""), "cron", /Expected `cron` to be a cron expression/);
    throwsInvalid(() => cronTrigger("   "), "cron", /got " {3}" \(string\)/);
    throwsInvalid(() => cronTrigger(42 as unknown as string), "cron", /got 42 \(number\)/);
  });

  it("rejects @reboot with the reason, and unknown macros with the list of known ones", () => {
    throwsInvalid(
      () => cronTrigger("@reboot"),
      "cron",
      /^@reboot is not supported: cronq triggers fire at times/,
    );
    throwsInvalid(
      () => cronTrigger("@fortnightly"),
      "cron",
      'Expected one of the macros @yearly @annually @monthly @weekly @daily @midnight @hourly, got "@fortnightly"',
    );
  });

  it("rejects ? outside the day fields, and inside a list", () => {
    throwsInvalid(
      () => cronTrigger("? * * * *"),
      "cron",
      /minute field \(1st\) to be 0-59 \(\? is only allowed in the day fields\)/,
    );
    throwsInvalid(() => cronTrigger("* * 1,? * *"), "cron", /\(\? stands alone\), got "\?"/);
  });

  it("rejects L alone in the day-of-week field, and L-n out of range", () => {
    // cron-parser parser_day_of_month.test.ts: '0 0 0 * * L' throws
    throwsInvalid(
      () => cronTrigger("0 0 0 * * L"),
      "cron",
      /day-of-week field \(6th\).*write 6 or SAT for Saturday, got "L"/,
    );
    throwsInvalid(() => cronTrigger("0 0 L-31 * *"), "cron", /L-n with n from 1 to 30, got "L-31"/);
    throwsInvalid(() => cronTrigger("0 0 L-0 * *"), "cron", /got "L-0"/);
  });

  it("rejects W outside the day-of-month field and with a day out of range", () => {
    throwsInvalid(() => cronTrigger("0 0 * * 1W"), "cron", /W belongs in the day-of-month field/);
    throwsInvalid(() => cronTrigger("0 0 32W * *"), "cron", /nW with n from 1 to 31/);
    throwsInvalid(() => cronTrigger("0 0 W * *"), "cron", /got "W"/);
  });

  it("rejects # outside the day-of-week field and nth beyond 5", () => {
    throwsInvalid(() => cronTrigger("0 0 1#2 * *"), "cron", /# and nL belong in the day-of-week field/);
    throwsInvalid(
      () => cronTrigger("0 0 * * 1#6"),
      "cron",
      /w#n with n from 1 to 5 \(the n-th weekday w of the month\), got "1#6"/,
    );
    throwsInvalid(() => cronTrigger("0 0 * * 1#0"), "cron", /got "1#0"/);
    throwsInvalid(() => cronTrigger("0 0 * * 8#1"), "cron", /got "8"/);
  });

  it("rejects H (hashed values) with a note that it is unsupported", () => {
    throwsInvalid(() => cronTrigger("H * * * *"), "cron", /H, hashed values, is not supported/);
  });

  it("rejects expressions that can never fire", () => {
    throwsInvalid(() => cronTrigger("0 0 30 2 *"), "cron", /"0 0 30 2 \*", which never fires/);
    throwsInvalid(() => cronTrigger("0 0 31 4,6,9,11 *"), "cron", /never fires/);
    throwsInvalid(
      () => cronTrigger("0 0 1-20 * FRI#5", { dayMatch: "and" }),
      "cron",
      /with both day rules matching/,
    );
    // The same expression with OR semantics fires on days 1-20 and on fifth Fridays.
    assert.equal(cronTrigger("0 0 1-20 * FRI#5").kind, "cron");
  });

  it("accepts surrounding and repeated whitespace, tabs included", () => {
    // APScheduler test_from_crontab "multiple_spaces_in_format"
    assert.equal(parseCron(" 0-14   * 14-28   jul       fri").fields.join(" "), "0-14 * 14-28 jul fri");
    assert.equal(parseCron("0\t0\t*\t*\t*").fields.length, 5);
  });

  it("classifies fixed-time expressions: no wildcard and no step in seconds, minutes and hours", () => {
    assert.equal(parseCron("30 2 * * *").fixedTime, true);
    assert.equal(parseCron("30 1,2 * * *").fixedTime, true);
    assert.equal(parseCron("0 1-3 * * *").fixedTime, true);
    assert.equal(parseCron("*/5 * * * *").fixedTime, false);
    assert.equal(parseCron("0 0-23/2 * * *").fixedTime, false);
    assert.equal(parseCron("0 * * * *").fixedTime, false);
    assert.equal(parseCron("* 30 2 * * *").fixedTime, false);
    assert.equal(parseCron("@daily").fixedTime, true);
    assert.equal(parseCron("@hourly").fixedTime, false);
  });
});
