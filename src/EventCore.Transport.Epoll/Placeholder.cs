namespace EventCore.Transport.Epoll;
