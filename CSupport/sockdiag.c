// The request half of `ss -x`: NETLINK_SOCK_DIAG needs netlink structures and macros Swift cannot import
// in one piece. Parsing the replies, and deciding what they mean, is Swift's.
#include "CSupport.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

_Static_assert(sizeof(struct nlmsghdr) == IPCW_NLMSG_HEADER_SIZE, "nlmsghdr");
_Static_assert(sizeof(struct unix_diag_msg) == IPCW_UNIX_DIAG_MSG_SIZE, "unix_diag_msg");
_Static_assert(NLMSG_DONE == IPCW_NLMSG_DONE && NLMSG_ERROR == IPCW_NLMSG_ERROR, "netlink types");
_Static_assert(UNIX_DIAG_NAME == IPCW_UNIX_DIAG_NAME && UNIX_DIAG_PEER == IPCW_UNIX_DIAG_PEER, "attributes");
_Static_assert(SOCK_DIAG_BY_FAMILY == IPCW_SOCK_DIAG_BY_FAMILY, "reply type");

static int request(uint32_t inode) {
    int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0)
        return -errno;
    struct {
        struct nlmsghdr header;
        struct unix_diag_req request;
    } message;
    memset(&message, 0, sizeof message);
    message.header.nlmsg_len = sizeof message;
    message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    message.header.nlmsg_flags = NLM_F_REQUEST | (inode == 0 ? NLM_F_DUMP : 0);
    message.request.sdiag_family = AF_UNIX;
    message.request.udiag_states = ~0u;
    message.request.udiag_ino = inode;
    message.request.udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER;
    if (inode != 0)
        message.request.udiag_cookie[0] = message.request.udiag_cookie[1] = ~0u;
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    if (sendto(fd, &message, sizeof message, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) {
        int error = errno;
        close(fd);
        return -error;
    }
    return fd;
}

int ipcw_unix_diag_request(void) { return request(0); }

int ipcw_unix_diag_request_inode(uint32_t inode) { return inode == 0 ? -EINVAL : request(inode); }
