# The two commands of the README, plus their parts. Every target runs on a fresh Debian 12 machine as
# root: `setup` installs what is missing with apt, then builds with Maven and fetches the harness's jars.
SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -euo pipefail -c

APT_PACKAGES := leiningen iptables iproute2 procps psmisc util-linux kmod fuse3 libfuse2 \
                redis-server redis-tools etcd-server etcd-client openssh-server openssh-client \
                rsync curl ca-certificates sudo vagrant chromium python3-yaml
MVN := mvn -B -q
LEIN := lein

.PHONY: run test setup build java-test harness-test integration-test nightly-short mutation bench simulate cleanup help

help:
	@echo "make run    set up this machine, then run the default test (5 local nodes, register, partition+kill, 60 s) into results/"
	@echo "make test   set up this machine, then run every test (what CI runs)"

## The main job: a real `lein run test` against a local 5-node cluster; the run lands in results/.
run: setup
	$(LEIN) run test --workload register --nemesis partition,kill --time-limit 60

## Every test: Java unit and simulation tests, harness unit tests, then the short real cluster runs.
test: setup java-test harness-test integration-test

setup:
	missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done)
	if [ -n "$$missing" ]; then
	  echo "apt: installing $$missing"
	  export DEBIAN_FRONTEND=noninteractive
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null
	fi
	$(MAKE) --no-print-directory build

build:
	$(MVN) install -DskipTests
	$(LEIN) deps >/dev/null

java-test:
	$(MVN) install

harness-test:
	$(LEIN) test

integration-test:
	$(LEIN) test :integration

## A short nightly (docs/nightly.md): 4 runs of 15 s (register and set, partitions and kills, nosync,
## lease and read-index reads), about 3 minutes; summary in results/nightly/latest/summary.md.
nightly-short:
	$(LEIN) run nightly --workloads register,set --nemeses partition,kill --fsm-sync-modes nosync \
	  --read-modes lease,read-index --time-limit 15 --nemesis-interval 3 --budget-minutes 10

## Mutation testing (docs/mutation.md): PIT over the safety-relevant classes each module's pom lists,
## killed by the module's unit tests (and, in store/replica, the simulation); one PIT run per module,
## timed, then the score per module and in total. Fails below 90% or on a survivor that
## docs/mutation.md does not account for. Not part of `test`: nightly (.github/workflows/nightly.yml).
## Reports: <module>/target/pit-reports/. One module: make mutation MUTATION_MODULES=store/wal
MUTATION_MODULES := store/raft store/wal store/fsm store/replica
comma := ,
space := $(subst ,, )
mutation:
	$(MVN) install -DskipTests -pl $(subst $(space),$(comma),$(strip $(MUTATION_MODULES))) -am
	for m in $(MUTATION_MODULES); do
	  start=$$(date +%s)
	  mvn -B -pl $$m test-compile org.pitest:pitest-maven:mutationCoverage
	  echo "mutation: $$m took $$(( $$(date +%s) - start )) s"
	done
	bin/mutation-score $(MUTATION_MODULES)

## leasekv vs etcd 3.4 and Redis 7 on 3 local namespaces, one table with the target ratios
## (docs/performance.md; about 11 minutes). LEASEKV_SLOT picks the namespaces, as for the harness.
bench: setup
	bin/bench-peers

## The deterministic simulation of the real replica (store/replica, docs/replica.md).
##   make simulate [SEEDS=250] [FIRST_SEED=100000]   a sweep of safe seeds in each of four configurations
##   make simulate SEED=S [NODES=3] [DURATION_MS=..] [FSM=nosync|sync] [READS=lease|read-index] [UNSAFE=m,..]
##                                                  replays one run with its event log and history
##   make simulate UNSAFE=mode [SEEDS=60] [FIRST_SEED=1]  how many runs catch that unsafe build
simulate: build
	if [ -n "$(SEED)" ]; then
	  $(MVN) -pl store/replica surefire:test -Dtest=SimulationTest#replay -Dmaven.test.redirectTestOutputToFile=false \
	    -Dsim.seed=$(SEED) -Dsim.nodes=$(or $(NODES),3) -Dsim.durationMs=$(DURATION_MS) \
	    -Dsim.fsm=$(or $(FSM),nosync) -Dsim.reads=$(or $(READS),lease) -Dsim.unsafe=$(UNSAFE)
	elif [ -n "$(UNSAFE)" ]; then
	  $(MVN) -pl store/replica surefire:test -Dtest=SimulationSlowTest#catchRate -DexcludedTestGroups=none \
	    -Dmaven.test.redirectTestOutputToFile=false -Dsim.seeds=$(or $(SEEDS),60) -Dsim.firstSeed=$(or $(FIRST_SEED),1) \
	    -Dsim.unsafe=$(UNSAFE)
	else
	  $(MVN) -pl store/replica surefire:test -Dtest='SimulationSlowTest#*Nodes*' -DexcludedTestGroups=none \
	    -Dmaven.test.redirectTestOutputToFile=false -Dsim.seeds=$(or $(SEEDS),250) -Dsim.firstSeed=$(or $(FIRST_SEED),100000)
	fi

## Removes every namespace, bridge, iptables rule, mount and process a crashed run left behind.
cleanup:
	$(LEIN) run cleanup
