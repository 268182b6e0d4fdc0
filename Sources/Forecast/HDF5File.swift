import CHDF5
import Foundation

/// Read-only access to float datasets of an HDF5 file through Debian's libhdf5.
final class HDF5File {
    private let file: hid_t
    let path: String

    init(path: String) throws {
        _ = H5open()
        H5Eset_auto2(H5E_DEFAULT_ID, nil, nil)   // errors come back as values, not printed
        let id = H5Fopen(path, 0 /* H5F_ACC_RDONLY */, 0 /* H5P_DEFAULT */)
        guard id >= 0 else { throw ForecastError.badModel("\(path): not an HDF5 file") }
        file = id
        self.path = path
    }

    deinit { H5Fclose(file) }

    /// The dataset at `name` (little-endian float32 or float64, as Keras writes) as doubles, with its shape.
    func doubles(_ name: String) throws -> (values: [Double], shape: [Int]) {
        let ds = H5Dopen2(file, name, 0)
        guard ds >= 0 else { throw ForecastError.badModel("\(path): no dataset \(name)") }
        defer { H5Dclose(ds) }
        let space = H5Dget_space(ds)
        defer { H5Sclose(space) }
        let rank = Int(H5Sget_simple_extent_ndims(space))
        var dims = [hsize_t](repeating: 0, count: max(rank, 1))
        H5Sget_simple_extent_dims(space, &dims, nil)
        let shape = rank == 0 ? [] : dims.prefix(rank).map { Int($0) }
        let count = shape.reduce(1, *)
        let type = H5Dget_type(ds)
        defer { H5Tclose(type) }
        guard H5Tget_class(type) == H5T_FLOAT, H5Tget_order(type) == H5T_ORDER_LE else {
            throw ForecastError.badModel("\(path): \(name) is not a little-endian float dataset")
        }
        switch H5Tget_size(type) {
        case 4:
            var floats = [Float](repeating: 0, count: count)
            let status = floats.withUnsafeMutableBytes { H5Dread(ds, type, 0, 0, 0, $0.baseAddress) }
            guard status >= 0 else { throw ForecastError.badModel("\(path): cannot read \(name)") }
            return (floats.map(Double.init), shape)
        case 8:
            var doubles = [Double](repeating: 0, count: count)
            let status = doubles.withUnsafeMutableBytes { H5Dread(ds, type, 0, 0, 0, $0.baseAddress) }
            guard status >= 0 else { throw ForecastError.badModel("\(path): cannot read \(name)") }
            return (doubles, shape)
        default:
            throw ForecastError.badModel("\(path): \(name) has an unsupported float size")
        }
    }
}

/// libhdf5's default error stack id (`H5E_DEFAULT` is a macro Swift cannot import).
private let H5E_DEFAULT_ID: hid_t = 0
