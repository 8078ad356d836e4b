// glibc's getopt_long, the parser strace uses, with its state (optarg, optind, opterr) passed in and out:
// Swift cannot touch those C globals safely.
#define _GNU_SOURCE
#include "CSupport.h"

#include <getopt.h>

int ipcw_getopt_long(int argc, char *const argv[], const char *optstring, const struct option *longopts,
                     int *longindex, const char **argument, int *next_index, int restart) {
    if (restart)
        optind = 0;  // glibc: a full reinitialisation, for a new argv
    opterr = 1;  // glibc prints "PROG: invalid option -- 'x'" itself, as strace's users see it
    int option = getopt_long(argc, argv, optstring, longopts, longindex);
    *argument = optarg;
    *next_index = optind;
    return option;
}
