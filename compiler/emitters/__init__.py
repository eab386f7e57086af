"""Stage 5, the emitters: everything policyc writes for people and machines.

In: resolved policies and analysis results. Out: text: the JSON export (`export`), SARIF
(`sarif`), findings pages, obligation pages and the site's navigation (`findings`, `pages`,
`site`), process maps in DOT (`process_map`), timelines in SVG (`timeline`), comparisons and
changelogs (`compare`, `diff`), and the executable checkers: generated Python (`checker_python`)
and DuckDB SQL (`checker_sql`, with `sqltext`). All policy text passes through `escape`.
Imports `dsl`, `compiler.model`, `compiler.graph` and `compiler.analyses`."""
