# SPDX-License-Identifier: MIT
#
# The example programs, linked against the static library:
#
#   make examples     $(OBJDIR)/examples/rx, tx, fwd and pingpong, probe and
#                     worker
#   make demo         tx into rx over a veth pair in private namespaces (root)
#
# make install installs each of $(TOOLS) as xsk-NAME, with man/xsk-NAME.1.

EXAMPLES := rx tx fwd pingpong
EXAMPLE_BINS := $(EXAMPLES:%=$(OBJDIR)/examples/%)
# Programs on their own, with nothing of the loops' shared code.
STANDALONE := probe worker
STANDALONE_BINS := $(STANDALONE:%=$(OBJDIR)/examples/%)
TOOLS := $(EXAMPLES) $(STANDALONE)
# What the loops share: setup and threads, the command line, the figures,
# the test frames, the pcap file, and the loop of fwd and pingpong
# --reflect.
EXAMPLE_COMMON := $(patsubst %,$(OBJDIR)/examples/%.o,common options figures \
	frame pcap reflect)

.PHONY: examples demo
all: examples
examples: $(EXAMPLE_BINS) $(STANDALONE_BINS)

$(EXAMPLE_COMMON): $(OBJDIR)/examples/%.o: examples/%.c examples/common.h \
		examples/internal.h $(HDRS)
	@mkdir -p $(@D)
	$(msg) CC $@
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(EXAMPLE_BINS): $(OBJDIR)/examples/%: examples/%.c examples/common.h \
		examples/hist.h $(EXAMPLE_COMMON) $(LIB_A)
	$(msg) CCLD $@
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(EXAMPLE_COMMON) $(LIB_A) \
		$(LDFLAGS) -lpthread

$(STANDALONE_BINS): $(OBJDIR)/examples/%: examples/%.c $(HDRS) $(LIB_A)
	@mkdir -p $(@D)
	$(msg) CCLD $@
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_A) $(LDFLAGS)

demo: examples
	@examples/demo.sh $(OBJDIR)/examples
