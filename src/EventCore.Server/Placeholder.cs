namespace EventCore.Server;
