/* MPI hello-world for conveyor's MPI tests: each rank prints "rank <r> size <n> host <h>". */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int rank, size, len;
    char host[MPI_MAX_PROCESSOR_NAME];
    const char *node = getenv("SLURMD_NODENAME");
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Get_processor_name(host, &len);
    printf("rank %d size %d host %s node %s\n", rank, size, host, node ? node : "-");
    fflush(stdout);
    MPI_Finalize();
    return 0;
}
