//! Web tests: HTTP against a real server, and browser journeys in a real headless Chromium.

mod browser;
mod cases_api;
mod cases_pages;
mod clocks;
mod clues;
mod http;
mod open311;
mod support;
