/**
 * The config repo as a software catalog for developer portals: Backstage entities (Group per
 * team, Component per service, System per declared system) built from a loaded
 * {@link dev.paved.config.Platform}. Pure.
 *
 * <p>May call: {@code config} (the model), Jackson. Called by {@code cli} ({@code paved catalog})
 * and {@code server} ({@code GET /api/v1/catalog}).
 */
package dev.paved.catalog;
