#!/usr/bin/env node
// Renders tests/handlebars/oracle/cases.json with the real Handlebars.js (pinned in package.json)
// and writes tests/handlebars/oracle/expected.json: {name: {output}} or {name: {error: true,
// phase: "compile" | "render", message}}. "compile" means Handlebars refuses the template itself
// (renubu's check() must refuse it too); "render" means it compiles but throws when rendered.
// A case may carry compile options: {"noEscape": true} is renubu's text mode (render_text).
//
// The helpers are registered exactly as DOMAIN §9 defines them, and renubu's money
// (renubu_tui/domain/templates/helpers.py).
'use strict';

const fs = require('fs');
const path = require('path');
const Handlebars = require('handlebars');

const root = path.resolve(__dirname, '..', '..');
const casesFile = path.join(root, 'tests', 'templates', 'oracle', 'cases.json');
const expectedFile = path.join(root, 'tests', 'templates', 'oracle', 'expected.json');

const HELPERS = {
  eq: function (a, b) { return a === b; },
  gte: function (a, b) { return a >= b; },
  lte: function (a, b) { return a <= b; },
  gt: function (a, b) { return a > b; },
  lt: function (a, b) { return a < b; },
  and: function (...args) { args.pop(); return args.reduce((acc, x) => acc && x, true); },
  or: function (...args) { args.pop(); return args.reduce((acc, x) => acc || x, false); },
  not: function (a) { return !a; },
  abs: function (n) { return Math.abs(n); },
  money: function (n) {
    if (typeof n === 'string' && n.trim() !== '') n = Number(n);
    if (typeof n !== 'number' || !isFinite(n)) return '';
    const whole = Math.round(Math.abs(n));
    const digits = String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    return (n < 0 && whole !== 0 ? '-' : '') + '$' + digits;
  },
};

function environment() {
  const hb = Handlebars.create();
  for (const [name, fn] of Object.entries(HELPERS)) hb.registerHelper(name, fn);
  hb.logger.log = function () {}; // the log helper and prototype-access warnings stay quiet
  return hb;
}

function firstLine(error) {
  return String((error && error.message) || error).split('\n')[0];
}

function run(template, context, options) {
  const hb = environment();
  try {
    hb.precompile(template, options);
  } catch (error) {
    return { error: true, phase: 'compile', message: firstLine(error) };
  }
  try {
    return { output: hb.compile(template, options)(context) };
  } catch (error) {
    return { error: true, phase: 'render', message: firstLine(error) };
  }
}

function main() {
  const { contexts, cases } = JSON.parse(fs.readFileSync(casesFile, 'utf8'));
  const expected = {};
  for (const c of cases) {
    const context = c.context_ref !== undefined ? contexts[c.context_ref] : c.context;
    expected[c.name] = run(c.template, context, c.options || {});
  }
  fs.writeFileSync(expectedFile, JSON.stringify(expected, null, 1) + '\n');
  const errors = Object.values(expected).filter((e) => e.error).length;
  console.log(`Handlebars ${Handlebars.VERSION}: ${cases.length} cases, ${errors} errors -> ${path.relative(root, expectedFile)}`);
}

main();
