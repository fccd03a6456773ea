# privy-go: `make check` is what CI runs (see .ci/run).
GO       ?= go
CODEGEN  := $(GO) run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen
SPECTRAL := node_modules/.bin/spectral
REDOCLY  := node_modules/.bin/redocly
STATICCHECK_VERSION := v0.8.2

.DEFAULT_GOAL := help

## help: list the targets (the default: plain `make` changes nothing)
.PHONY: help
help:
	@awk '{ raw = $$0 } /^## / { sub(/^## /, ""); if (prev !~ /^## /) { n = index($$0, ": "); printf "  %-16s %s\n", substr($$0, 1, n - 1), substr($$0, n + 2) } \
	     else printf "  %-16s %s\n", "", $$0 } { prev = raw }' $(MAKEFILE_LIST)

.PHONY: generate check-generated lint-spec test bench build vet fmt-check check

## generate: rebuild gen/ from openapi.yaml
generate:
	$(GO) generate ./...

## check-generated: regenerate every generator config that generate.go runs into a temporary
## directory and fail on any difference from the committed files
GEN_CONFIGS := $(shell sed -n 's/^\/\/go:generate .*-config \([^ ]*\).*/\1/p' generate.go)

check-generated:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && stale=0 && \
	test -n "$(GEN_CONFIGS)" || { echo "check-generated: no generator config found in generate.go"; exit 2; }; \
	for cfg in $(GEN_CONFIGS); do \
		out=$$(sed -n 's/^output: *//p' "$$cfg"); \
		mkdir -p "$$tmp/$$(dirname "$$out")" && \
		sed "s|^output:.*|output: $$tmp/$$out|" "$$cfg" > "$$tmp/config.yaml" && \
		$(CODEGEN) -config "$$tmp/config.yaml" openapi.yaml || exit 1; \
		if ! diff -u "$$out" "$$tmp/$$out" > "$$tmp/diff"; then \
			head -n 40 "$$tmp/diff"; echo "$$out is out of date with openapi.yaml ($$cfg)"; stale=1; \
		fi; \
	done; \
	if [ $$stale -ne 0 ]; then echo "run 'make generate'"; exit 1; fi; \
	echo "generated code is up to date with openapi.yaml: $(GEN_CONFIGS)"

# One npm install, from package-lock.json, installs the linters and the MCP Inspector; its stamp
# is Spectral's binary (.ci/run runs the same command). Not `npm ci`: it refuses this lock
# file because vite (pulled in by the MCP Inspector) names an optional Windows-only package that
# the registry no longer serves; `npm install` installs exactly the locked versions all the same.
NPM_INSTALL := npm install --ignore-scripts --no-audit --no-fund
$(SPECTRAL): package.json package-lock.json
	$(NPM_INSTALL)
	@touch $(SPECTRAL) $(REDOCLY)

## lint-spec: Spectral (spectral:oas) and Redocly CLI (the recommended ruleset, warnings as
## errors: redocly.yaml); zero errors and zero warnings from both
lint-spec: $(SPECTRAL)
	$(SPECTRAL) lint --fail-severity=warn openapi.yaml
	REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true $(REDOCLY) lint --config redocly.yaml openapi.yaml

## build: compile every package
build:
	$(GO) build ./...

## vet: go vet
vet:
	$(GO) vet ./...

## fmt-check: fail when gofmt would change a file
fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## test: every test, with the race detector
test:
	$(GO) test -race -count=1 ./...

## bench: every benchmark, once
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

.PHONY: spec-diff

## spec-diff: changes to openapi.yaml since BASE (a spec file, or a git ref holding openapi.yaml;
## default: the last frozen release, testdata/releases/openapi-<version>.yaml), through
## `privy spec diff`. Breaking changes first; exit 1 on a breaking change, 2 on bad input.
spec-diff:
	@base='$(BASE)'; \
	if [ -z "$$base" ]; then base=$$(ls testdata/releases/openapi-v*.yaml 2>/dev/null | sort -V | tail -n 1); fi; \
	if [ -z "$$base" ]; then echo "spec-diff: no frozen release in testdata/releases; name one: BASE=FILE or BASE=<git ref>" >&2; exit 2; fi; \
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	if [ -f "$$base" ]; then file=$$base; else \
		file=$$tmp/openapi.yaml; \
		git show "$$base:openapi.yaml" > "$$file" || { echo "spec-diff: cannot read openapi.yaml at '$$base'" >&2; exit 2; }; \
	fi && \
	$(GO) build -o "$$tmp/privy" ./cmd/privy && \
	echo "openapi.yaml: $$base -> working tree" && \
	"$$tmp/privy" spec diff "$$file" openapi.yaml

.PHONY: fixtures

## fixtures: write every example of openapi.yaml as a positive fixture under testdata/fixtures
## (example_<name>.json; stale ones removed). A test fails when they are out of step.
fixtures:
	$(GO) run ./cmd/privy spec fixtures testdata/fixtures

.PHONY: check-lite release

## check-lite: build, vet, gofmt, gen/ up to date and every test, without the race detector
check-lite: build vet fmt-check check-generated
	$(GO) test -count=1 ./...

## release: freeze a release: make release VERSION=vX.Y.Z (clean tree, semver after the last
## release, not tagged, CHANGELOG Unreleased not empty, make RELEASE_CHECK, default check-lite, passes);
## copies openapi.yaml to testdata/releases/openapi-VERSION.yaml, dates the CHANGELOG section,
## commits and tags (nothing is pushed)
release:
	@VERSION='$(VERSION)' RELEASE_CHECK='$(RELEASE_CHECK)' bash .ci/release

## staticcheck: staticcheck (pinned) over every package
.PHONY: staticcheck
staticcheck:
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

## check: what CI runs: build, vet, gofmt, staticcheck, go test -race, gen/ up to date, spec lint
check: build vet fmt-check staticcheck test check-generated lint-spec
