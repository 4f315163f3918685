/*
 * card_read.h — the chip-reading subcommands of `dinhdanh card` (card_read.c).
 */
#ifndef DD_CMD_CARD_READ_H
#define DD_CMD_CARD_READ_H

/* `card read ARGS…` (argv without "card read"). Returns the exit status. */
int dd_cmd_card_read(int argc, char **argv);

/* `card readers`: the PC/SC readers as JSON. */
int dd_cmd_card_readers(void);

#endif
